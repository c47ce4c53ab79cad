"""登记: an approved application becomes an organisation with a USCC; name, charter and filing follow it."""

from __future__ import annotations

from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession

from yishe_contracts.events.common import OrgType
from yishe_kit.access import require_jurisdiction, require_role
from yishe_kit.outbox import Outbox
from yishe_kit.principal import Principal

from ..charter import service as charter_service
from ..config import RulesSettings
from ..errors import WrongState
from ..filing import service as filing_service
from ..kinds import DirectCategory
from ..name import service as name_service
from ..organisation import service as organisation_service
from ..organisation.models import Organisation
from ..organisation.schemas import LeaderIn, LegalRepresentative, PartyMembersIn
from .service import get, set_status


async def register(session: AsyncSession, application_id: int, principal: Principal, outbox: Outbox,
                   rules: RulesSettings, body_prefix: str, today: date) -> Organisation:
    """REG-2: after joint review and publicity the authority registers and issues the USCC (registration date today)."""
    require_role(principal, "staff", action_zh="准予登记", action_en="register organisations")
    app = await get(session, application_id)
    require_jurisdiction(principal, app.division_code)
    if app.status != "approved":
        raise WrongState("status", "REG-2", f"申请当前状态为{app.status}，须联合审查、公示通过后方可登记",
                         f"the application is {app.status}: registration follows joint review and publicity")
    new = organisation_service.NewOrganisation(
        name=app.name, org_type=OrgType(app.org_type), division_code=app.division_code, address=app.address,
        legal_rep=LegalRepresentative.model_validate(app.legal_rep), business_scope=app.business_scope,
        supervisory_unit=app.supervisory_unit,
        party_members=PartyMembersIn.model_validate(app.party_members) if app.party_members else None,
        community_class=app.community_class, category=app.category, sector=app.sector,
        is_industry_association=app.category == DirectCategory.TRADE_ASSOCIATION.value,
        activity_funds=app.activity_funds, application_id=app.application_id, filing_no=app.filing_no,
        source="application", leaders=[LeaderIn.model_validate(ld) for ld in app.leaders],
        term_years=rules.leader_term_years,
        reason=f"设立登记（申请 {app.application_id}）")
    org = await organisation_service.create(session, new, principal=principal, outbox=outbox,
                                            body_prefix=body_prefix, today=today, claim_name=False)
    await name_service.mark_used(session, app.reservation_id, org.uscc, "organisation", principal, outbox, today)
    await charter_service.approve_initial(session, org.uscc, app.charter_text, principal, outbox, rules, today)
    if app.filing_no:
        await filing_service.mark_registered(session, app.filing_no, org.uscc, principal, outbox, today)
    app.uscc, app.decided_on = org.uscc, today
    await set_status(session, outbox, app, "registered", principal, reason=f"准予登记，统一社会信用代码 {org.uscc}",
                     step=None, decision="registered", rule="REG-2")
    return org
