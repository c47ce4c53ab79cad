"""Registration rules: validation with rule ids, USCC issuance (GB 32100), the history trail, the event."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from yishe_contracts.events.common import OrgType
from yishe_contracts.events.registry import OrganisationRegistered, PartyMemberCaptured
from yishe_contracts.identifiers import (
    encode_sequence,
    make_uscc,
    mask_id_number,
    mask_phone,
    validate_id_number,
)
from yishe_kit.access import (
    Denied,
    require_jurisdiction,
    require_organisation_in_scope,
    require_role,
    sees_organisation,
)
from yishe_kit.errors import Problem, identifier_problems, require_social_org_uscc
from yishe_kit.outbox import Outbox
from yishe_kit.principal import Principal

from ..config import RulesSettings
from ..errors import WrongState
from ..kinds import DirectCategory
from ..name import rules as name_rules
from ..name import service as name_service
from ..name.exceptions import OneTradeOneAssociation, SimilarNames
from ..name.schemas import NameRequest
from ..search import service as search_service
from . import conditions, repository
from .exceptions import OrganisationNotFound, RegistrationRefused
from .leaders import add_years, birth_date_of
from .models import Organisation, OrganisationHistory, OrganisationLeader
from .schemas import (
    HistoryRead,
    LeaderIn,
    LeaderRead,
    LegalRepresentative,
    LegalRepresentativeRead,
    OrganisationCreate,
    OrganisationRead,
    PartyMembersIn,
)

_PHONE = re.compile(r"^(1\d{10}|0\d{2,3}-?\d{7,8})$")


def phone_problems(phone: str | None, field_: str) -> list[Problem]:
    if phone and not _PHONE.match(phone):
        return [Problem(field_, "PHONE-1", "联系电话格式不正确",
                        "phone must be an 11-digit mobile number or an area-code landline")]
    return []


def party_member_problems(pm: PartyMembersIn | None) -> list[Problem]:
    """PARTY-5: the captured list agrees with the declared counts; ID numbers are valid."""
    if not pm:
        return []
    problems = []
    full = sum(1 for m in pm.members if m.status.name == "FULL")
    if full > pm.full_count or len(pm.members) - full > pm.probationary_count:
        problems.append(Problem("party_members", "PARTY-5", "党员名单人数多于申报的党员人数",
                                "the member list has more members than the declared counts"))
    for i, m in enumerate(pm.members):
        if m.id_number:
            field_ = f"party_members.members[{i}].id_number"
            problems += identifier_problems(validate_id_number(m.id_number, field=field_))
    return problems


def check_registration(data: OrganisationCreate, rules: RulesSettings) -> tuple[name_service.Resolved, list[Problem]]:
    """Every condition of a direct registration the request itself shows, each with its field and rule id: the
    name as a reservation checks it (DIV-1, REG-6, REG-7, REG-8 sector), the conditions by kind as an application
    checks them (REG-1, REG-3, REG-4, REG-5, REG-8, REG-12), the legal representative's ID and phone (ID-1, PHONE-1)
    and the Party members (PARTY-5)."""
    resolved = name_service.resolve(NameRequest(
        org_type=data.org_type, division_code=data.division_code, community_class=data.community_class,
        township=data.township, village=data.village, name=data.name, sector=data.sector, category=data.category),
        rules)
    problems = resolved.problems + conditions.kind_problems(data, rules)
    rep = data.legal_representative
    if rep.id_number:
        problems += identifier_problems(validate_id_number(rep.id_number, field="legal_representative.id_number"))
    problems += phone_problems(rep.phone, "legal_representative.phone")
    return resolved, problems + party_member_problems(data.party_members)


@dataclass
class NewOrganisation:
    name: str
    org_type: OrgType
    division_code: str
    address: str
    legal_rep: LegalRepresentative
    business_scope: str
    supervisory_unit: str | None
    party_members: PartyMembersIn | None
    community_class: str | None = None
    category: str | None = None
    sector: str | None = None
    is_industry_association: bool = False
    activity_funds: Decimal | None = None
    application_id: int | None = None
    filing_no: str | None = None
    source: str = "registration"
    leaders: list[LeaderIn] = field(default_factory=list)
    term_years: int = 5
    reason: str = "设立登记"


async def register(session: AsyncSession, *, data: OrganisationCreate, principal: Principal,
                   outbox: Outbox, rules: RulesSettings, today: date, body_prefix: str = "MJ") -> Organisation:
    """Direct registration (fast path): the bureau only, inside its jurisdiction (AUTH-1, AUTH-2); the same rules as
    a name reservation and an application (`check_registration`; over the register: REG-2/REG-4 legal
    representative, REG-8 一业一会, similar names unless acknowledged, REG-6 one name one holder); issue a USCC
    (USCC-1..6), record, emit."""
    require_role(principal, "staff", "internal", action_zh="办理成立登记", action_en="register organisations")
    require_jurisdiction(principal, data.division_code)
    resolved, problems = check_registration(data, rules)
    problems += conditions.legal_rep_missing(data.legal_representative, data.org_type.value)
    if problems:
        raise RegistrationRefused(problems)
    request = NameRequest(org_type=data.org_type, division_code=data.division_code, name=data.name,
                          sector=data.sector, category=data.category)
    industry = await name_service.industry_conflicts(session, request, today)
    if industry:
        raise OneTradeOneAssociation([c.name for c in industry], data.sector or "")
    similar = await name_service.similar_names(session, resolved, rules)
    if similar and not data.acknowledge_similar:
        raise SimilarNames([s.name for s in similar])
    new = NewOrganisation(name=resolved.name, org_type=data.org_type, division_code=data.division_code,
                          address=data.address, legal_rep=data.legal_representative,
                          business_scope=data.business_scope, supervisory_unit=data.supervisory_unit,
                          party_members=data.party_members, community_class=data.community_class,
                          category=data.category, sector=data.sector,
                          is_industry_association=data.category == DirectCategory.TRADE_ASSOCIATION,
                          activity_funds=data.activity_funds)
    return await create(session, new, principal=principal, outbox=outbox, body_prefix=body_prefix,
                        today=today, claim_name=True)


async def create(session: AsyncSession, new: NewOrganisation, *, principal: Principal, outbox: Outbox,
                 body_prefix: str, today: date, claim_name: bool) -> Organisation:
    """REG-2/REG-4 (the legal representative locked and checked in this transaction, 409 if taken), issue the
    USCC, hold the name, store the record and leaders, index, trail, emit `registered`."""
    await conditions.claim_legal_rep(session, new.legal_rep.id_number, new.org_type.value)
    key = name_rules.key(new.name)
    uscc = await _issue_uscc(session, new.org_type.category, new.division_code, body_prefix)
    if claim_name:
        await name_service.claim(session, key, new.name, "organisation", uscc, today, outbox)
    now = datetime.now(UTC)
    pm = new.party_members
    org = Organisation(
        uscc=uscc, name=new.name, name_normalised=key, org_type=new.org_type.value,
        division_code=new.division_code, address=new.address, legal_rep_name=new.legal_rep.name,
        legal_rep_id_number=new.legal_rep.id_number, legal_rep_phone=new.legal_rep.phone,
        business_scope=new.business_scope, supervisory_unit=new.supervisory_unit, status="active",
        registration_date=today, registered_at=now, status_since=today,
        party_full_members=pm.full_count if pm else 0, party_probationary_members=pm.probationary_count if pm else 0,
        community_class=new.community_class, category=new.category, sector=new.sector,
        sector_key=name_rules.key(new.sector) if new.sector else None,
        is_industry_association=new.is_industry_association, activity_funds=new.activity_funds,
        application_id=new.application_id, filing_no=new.filing_no, source=new.source, updated_at=now,
    )
    session.add(org)
    await session.flush()
    await search_service.index_name(session, uscc, key)
    await replace_leaders(session, uscc, new.leaders, today, new.term_years)
    await record_history(session, uscc, "registered", principal, after={
        "name": org.name, "org_type": org.org_type, "status": org.status, "division_code": org.division_code,
        **({"application_id": new.application_id} if new.application_id else {}),
        **({"filing_no": new.filing_no} if new.filing_no else {})}, reason=new.reason)
    await outbox.emit(session, OrganisationRegistered(
        uscc=uscc, name=org.name, org_type=new.org_type, division_code=org.division_code, address=org.address,
        legal_representative=org.legal_rep_name, business_scope=org.business_scope,
        supervisory_unit=org.supervisory_unit, registered_at=now, registration_date=org.registration_date,
        party_full_members=org.party_full_members, party_probationary_members=org.party_probationary_members,
        party_members=[PartyMemberCaptured(**m.model_dump()) for m in (pm.members if pm else [])],
        category=new.category, sector=new.sector, community_class=new.community_class,
        application_id=new.application_id, source=new.source,
    ))
    return org


async def _issue_uscc(session: AsyncSession, category: str, division_code: str, body_prefix: str) -> str:
    """USCC-1..6: department 5, the category, the authority's division, an `MJ` body from its sequence."""
    width = 8 - len(body_prefix)
    while True:
        seq = await repository.next_sequence(session, division_code)
        uscc = make_uscc(category=category, division_code=division_code,
                         body8=body_prefix + encode_sequence(seq, width))
        if not await repository.exists(session, uscc):  # a legacy import may already hold it
            return uscc


async def replace_leaders(session: AsyncSession, uscc: str, leaders: list[LeaderIn], start: date,
                          term_years: int) -> None:
    """The given leaders become the current ones; earlier rows stay as history."""
    if not leaders:
        return
    await repository.end_current_leaders(session, uscc)
    for leader in leaders:
        begins = leader.term_start or start
        session.add(OrganisationLeader(
            uscc=uscc, name=leader.name, role=leader.role, id_number=leader.id_number,
            birth_date=birth_date_of(leader), term_start=begins,
            term_end=add_years(begins, term_years),
            consecutive_terms=leader.consecutive_terms, appointed=leader.appointed,
            approved_exception=leader.approved_exception, exception_note=leader.exception_note, current=True))


async def leaders(session: AsyncSession, uscc: str, principal: Principal) -> list[LeaderRead]:
    """Leaders are named publicly; ID numbers only masked, and only for staff, supervisor, party and the org."""
    await get(session, uscc)
    show_id = principal.is_any("staff", "supervisor", "party", "org", "internal")
    return [LeaderRead(name=ld.name, role=ld.role, term_start=ld.term_start, term_end=ld.term_end,
                       consecutive_terms=ld.consecutive_terms, appointed=ld.appointed,
                       approved_exception=ld.approved_exception, current=ld.current,
                       id_number=mask_id_number(ld.id_number) if show_id and ld.id_number else None,
                       birth_date=ld.birth_date if show_id else None)
            for ld in await repository.leaders(session, uscc)]


async def get(session: AsyncSession, uscc: str) -> Organisation:
    org = await repository.get(session, require_social_org_uscc(uscc))
    if org is None:
        raise OrganisationNotFound(uscc)
    return org


async def get_for_staff(session: AsyncSession, uscc: str, principal: Principal) -> Organisation:
    """Load the organisation and check the caller's jurisdiction (AUTH-2)."""
    org = await get(session, uscc)
    require_jurisdiction(principal, org.division_code)
    return org


def require_status(org: Organisation, *statuses: str, action_zh: str, action_en: str) -> None:
    if org.status not in statuses:
        raise WrongState("status", "REG-2", f"该社会组织当前状态为“{org.status}”，不能{action_zh}",
                         f"cannot {action_en} an organisation whose status is {org.status}")


def disclose(org: Organisation, principal: Principal) -> OrganisationRead:
    """CODE-4: the public sees no ID number, phone or Party membership; staff see them masked; internal in full;
    outside the caller's jurisdiction (another organisation's account, another district) the public view."""
    rep = LegalRepresentativeRead(name=org.legal_rep_name)
    read = OrganisationRead(
        uscc=org.uscc, name=org.name, org_type=org.org_type, division_code=org.division_code, address=org.address,
        legal_representative=rep, business_scope=org.business_scope, supervisory_unit=org.supervisory_unit,
        status=org.status, registration_date=org.registration_date, registered_at=org.registered_at,
        community_class=org.community_class, category=org.category, sector=org.sector,
        activity_funds=org.activity_funds, grade=org.grade, status_since=org.status_since,
        suspended_until=org.suspended_until, application_id=org.application_id, filing_no=org.filing_no,
        source=org.source,
    )
    if not sees_organisation(principal, org.uscc, org.division_code):
        return read  # AUTH-1/AUTH-2: another organisation's account or another district sees the public view
    if principal.is_any("internal"):
        rep.id_number, rep.phone = org.legal_rep_id_number, org.legal_rep_phone
    elif principal.is_any("staff", "supervisor", "org"):
        rep.id_number = mask_id_number(org.legal_rep_id_number) if org.legal_rep_id_number else None
        rep.phone = mask_phone(org.legal_rep_phone) if org.legal_rep_phone else None
    if principal.is_any("internal", "staff", "party", "org"):
        read.party_full_members = org.party_full_members
        read.party_probationary_members = org.party_probationary_members
    return read


async def record_history(session: AsyncSession, uscc: str, action: str, principal: Principal, *,
                         before: dict[str, Any] | None = None, after: dict[str, Any] | None = None,
                         reason: str | None = None) -> OrganisationHistory:
    """HIST-1 [P]: append who (user, role), when, what changed (before/after) and why; never updated."""
    row = OrganisationHistory(uscc=uscc, action=action, actor=principal.actor, actor_role=principal.role,
                              at=datetime.now(UTC), before=before, after=after, reason=reason)
    session.add(row)
    return row


def require_not_public(principal: Principal) -> None:
    if principal.is_any("public"):
        raise Denied("history_forbidden", Problem("role", "CODE-4", "历史记录不向公众公开",
                                                  "the history is not public"))


def _mask_values(values: dict | None) -> dict | None:
    if values is None:
        return None
    masked = dict(values)
    for k, fn in (("legal_rep_id_number", mask_id_number), ("legal_rep_phone", mask_phone)):
        if masked.get(k):
            masked[k] = fn(masked[k])
    return masked


def history_read(h: OrganisationHistory, principal: Principal) -> HistoryRead:
    """Personal data in a trail entry is masked for everyone but internal callers."""
    read = HistoryRead.model_validate(h, from_attributes=True)
    if principal.is_any("internal"):
        return read
    return read.model_copy(update={"before": _mask_values(read.before), "after": _mask_values(read.after)})


async def history(session: AsyncSession, uscc: str, principal: Principal) -> list:
    """The trail is for staff and the organisation itself, not the public (CODE-4); an organisation's account reads
    its own only (AUTH-1), other callers within their jurisdiction (AUTH-2)."""
    require_not_public(principal)
    org = await get(session, uscc)
    require_organisation_in_scope(principal, org.uscc, org.division_code)
    return await repository.history(session, uscc)


async def history_entry(session: AsyncSession, uscc: str, history_id: int) -> OrganisationHistory | None:
    return await repository.history_entry(session, uscc, history_id)


async def snapshot(session: AsyncSession, usccs: list[str]) -> dict[str, Organisation]:
    """The stored records of these USCCs (bulk import compares against them)."""
    return await repository.snapshot(session, usccs)


async def insert_many(session: AsyncSession, orgs: list[dict], history: list[dict]) -> None:
    """Bulk insert of already validated records and their first history rows (legacy import)."""
    await repository.insert_many(session, orgs, history)
