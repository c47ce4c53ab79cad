"""Change registration rules: each field re-checked by its rule, the 30-day deadline tracked (REG-2), the event."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from yishe_contracts.events.common import OrgType
from yishe_contracts.events.registry import OrganisationChanged, PartyReminderOccasion
from yishe_contracts.identifiers import validate_id_number
from yishe_kit.access import require_role
from yishe_kit.errors import Problem, identifier_problems
from yishe_kit.outbox import Outbox
from yishe_kit.principal import Principal

from ..audit import service as audit_service
from ..audit.models import PendingChange
from ..config import RulesSettings
from ..errors import Refused, WrongState
from ..kinds import CommunityClass, is_national
from ..name import rules as name_rules
from ..name import service as name_service
from ..name.schemas import NameRequest
from ..organisation import conditions
from ..organisation import service as organisation_service
from ..organisation.exceptions import LegalRepTaken
from ..organisation.leaders import leader_problems
from ..organisation.models import Organisation
from ..search import service as search_service
from ..signal import service as signal_service
from ..workforce import service as workforce_service
from .schemas import ChangeRead, ChangeRequest

PLAIN_FIELDS = ("address", "business_scope", "supervisory_unit", "sector", "activity_funds")
PERSONAL = ("legal_rep_id_number", "legal_rep_phone")


def _min_funds(org: Organisation, rules: RulesSettings):
    if org.community_class == CommunityClass.MATURE.value:
        return rules.community_min_funds, "REG-12"
    if org.org_type == OrgType.SOCIAL_GROUP.value:
        national = is_national(org.division_code)
        return (rules.social_group_min_funds_national if national else rules.social_group_min_funds_local), "REG-1"
    if org.org_type == OrgType.PRIVATE_NON_ENTERPRISE.value:
        return rules.pne_min_funds, "REG-3"
    return rules.foundation_min_fund_non_public, "REG-4"


async def _problems(session: AsyncSession, org: Organisation, data: ChangeRequest, rules: RulesSettings,
                    today: date) -> tuple[list[Problem], Any]:
    problems: list[Problem] = []
    resolved = None
    if data.name is not None:
        resolved = name_service.resolve(NameRequest(
            org_type=org.org_type, division_code=org.division_code, community_class=org.community_class,
            township=data.township, village=data.village, name=data.name), rules)
        problems += resolved.problems
    if data.activity_funds is not None:
        minimum, rule = _min_funds(org, rules)
        if data.activity_funds < minimum:
            problems.append(Problem("activity_funds", rule, f"变更后资金不得少于{minimum:,.0f}元",
                                    f"funds may not fall below CNY {minimum:,.0f}"))
    rep = data.legal_representative
    if rep is not None:
        if rep.id_number:
            problems += identifier_problems(validate_id_number(rep.id_number, field="legal_representative.id_number"))
        problems += organisation_service.phone_problems(rep.phone, "legal_representative.phone")
    if data.leaders is not None:
        problems += leader_problems(data.leaders, today, rules)
    if data.workforce is not None:
        problems += workforce_service.problems(data.workforce, "workforce.")
    needs_consent = bool(org.supervisory_unit) and not org.category and not org.community_class
    if needs_consent and data.consent_date is None:
        problems.append(Problem("consent_date", "REG-2", "有业务主管单位的社会组织变更登记须提供业务主管单位同意日期",
                                "an organisation with a supervisory unit gives the date of the unit's consent"))
    if data.consent_date and data.consent_date > today:
        problems.append(Problem("consent_date", "REG-2", "业务主管单位同意日期不能晚于今天",
                                "the consent date cannot be in the future"))
    return problems, resolved


def _public(value: Any) -> str | int | None:
    if value is None or isinstance(value, int | str):
        return value
    return str(value)


async def change(session: AsyncSession, uscc: str, data: ChangeRequest, principal: Principal, outbox: Outbox,
                 rules: RulesSettings, today: date) -> ChangeRead:
    """变更登记 (REG-2): re-check the changed fields by rule, record before/after, track the 30-day deadline."""
    require_role(principal, "staff", action_zh="办理变更登记", action_en="register changes")
    org = await organisation_service.get_for_staff(session, uscc, principal)
    organisation_service.require_status(org, "active", "suspended", action_zh="变更登记", action_en="change")
    problems, resolved = await _problems(session, org, data, rules, today)
    if problems:
        raise Refused(problems)
    rep = data.legal_representative
    if rep is not None and rep.id_number != org.legal_rep_id_number:
        # REG-2 (a group's) / REG-4 (a foundation's): locked and checked in the transaction that writes it; 409
        await conditions.claim_legal_rep(session, rep.id_number, org.org_type, exclude=org.uscc)
    if rep is not None and (rep.name != org.legal_rep_name or rep.id_number != org.legal_rep_id_number):
        if await audit_service.change_waiting(session, uscc):
            raise WrongState("legal_representative", "TPA-2", "已有一项法定代表人变更正在等待离任审计",
                             "a change of legal representative is already waiting for its audit")
        audit = await audit_service.take(session, uscc, "legal_rep_change", "change_of_legal_representative")
        if audit is None:  # TPA-2: waits for the outgoing representative's 离任审计 (or an exemption)
            pending = await audit_service.park_change(session, uscc, data.model_dump(mode="json"), principal, today)
            return ChangeRead(uscc=uscc, changes={}, change_date=today, consent_date=data.consent_date,
                              deadline=None, late=False, reminders=[], status="awaiting_audit",
                              pending_id=pending.pending_id)
    before: dict[str, Any] = {}
    after: dict[str, Any] = {}
    for f in PLAIN_FIELDS:
        value = getattr(data, f)
        if value is not None and getattr(org, f) != value:
            before[f], after[f] = _public(getattr(org, f)), _public(value)
    if resolved is not None and resolved.key != org.name_normalised:
        before["name"], after["name"] = org.name, resolved.name
    elif resolved is not None and resolved.name != org.name:
        before["name"], after["name"] = org.name, resolved.name  # same key, different spelling
    if rep is not None:
        for f, v in (("legal_rep_name", rep.name), ("legal_rep_id_number", rep.id_number),
                     ("legal_rep_phone", rep.phone)):
            if getattr(org, f) != v:
                before[f], after[f] = getattr(org, f), v
    if not after and data.leaders is None and data.workforce is None:
        raise Refused([Problem(None, "REG-2", "没有需要变更的事项", "nothing to change")])
    await apply(session, org, after, principal, today, outbox)
    if data.leaders is not None:
        await organisation_service.replace_leaders(session, uscc, data.leaders, today, rules.leader_term_years)
        after["leaders"] = [f"{ld.role}:{ld.name}" for ld in data.leaders]
        before["leaders"] = None
    if data.workforce is not None:  # WORK-1: a change filing keeps this year's figures current
        await workforce_service.record(session, org, today.year, data.workforce, "change", principal, outbox, today)
    deadline = data.consent_date + timedelta(days=rules.change_deadline_days) if data.consent_date else None
    late = deadline is not None and today > deadline
    await organisation_service.record_history(
        session, uscc, "changed", principal, before=before,
        after={**after, "consent_date": data.consent_date.isoformat() if data.consent_date else None, "late": late,
               **({"workforce": data.workforce.model_dump()} if data.workforce else {})},
        reason=data.reason + ("（超过30日变更期限，REG-2）" if late else ""))
    await emit_changed(session, outbox, uscc, before, after, today)
    reminders = await signal_service.deliver_reminders(session, uscc, principal, PartyReminderOccasion.CHANGE,
                                                       outbox, today)
    return ChangeRead(uscc=uscc, changes={k: {"before": _public(before.get(k)), "after": _public(after[k])}
                                          for k in after if k not in PERSONAL and k != "leaders"},
                      change_date=today, consent_date=data.consent_date, deadline=deadline, late=late,
                      reminders=reminders)


async def apply(session: AsyncSession, org: Organisation, values: dict[str, Any], principal: Principal,
                today: date, outbox: Outbox) -> None:
    """Write changed fields; a new name moves the name claim and the search index."""
    if "name" in values:
        key = name_rules.key(values["name"])
        if key != org.name_normalised:
            await name_service.claim(session, key, values["name"], "organisation", org.uscc, today, outbox)
            await name_service.release_claim(session, org.name_normalised, "organisation", org.uscc)
            await search_service.unindex_name(session, org.uscc, org.name_normalised)
            await search_service.index_name(session, org.uscc, key)
            org.name_normalised = key
    for f, v in values.items():
        if f == "sector":
            org.sector_key = name_rules.key(v) if v else None
        if f == "activity_funds" and v is not None:
            v = Decimal(str(v))
        if f != "leaders":
            setattr(org, f, v)
    org.updated_at = datetime.now(UTC)


async def emit_changed(session: AsyncSession, outbox: Outbox, uscc: str, before: dict, after: dict,
                       today: date) -> None:
    """registry.organisation.changed.v1: public fields only, never personal data."""
    changes = {k: {"before": _public(before.get(k)), "after": _public(after[k])}
               for k in after if k not in PERSONAL and k != "leaders"}
    if after.get("leaders"):
        changes["leaders"] = {"before": None, "after": "、".join(after["leaders"])}
    if changes:
        await outbox.emit(session, OrganisationChanged(uscc=uscc, changes=changes, changed_at=datetime.now(UTC),
                                                       change_date=today))


async def complete_pending(session: AsyncSession, pending: PendingChange, outbox: Outbox, rules: RulesSettings,
                           today: date) -> str:
    """TPA-2: a change that waited for its audit is registered now, as its requester asked, on today's rules;
    if the rules refuse it now (refused before anything is written), it is closed as refused with the reasons."""
    principal = Principal(actor=pending.requested_by, role=pending.requested_role)
    pending.status = "replaying"
    try:
        await change(session, pending.uscc, ChangeRequest.model_validate(pending.request), principal, outbox,
                     rules, today)
    except (Refused, WrongState, LegalRepTaken) as refused:
        pending.status, pending.outcome = "refused", [p.as_dict() for p in refused.problems]
    else:
        pending.status = "completed"
    pending.completed_on = today
    return pending.status
