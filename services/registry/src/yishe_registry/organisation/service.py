"""Registration rules: validation with rule ids, USCC issuance (GB 32100), the history trail, the event."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from yishe_contracts.events.registry import OrganisationRegistered, PartyMemberCaptured
from yishe_contracts.identifiers import (
    encode_sequence,
    make_uscc,
    mask_id_number,
    mask_phone,
    normalise_name,
    validate_division_code,
    validate_id_number,
)
from yishe_kit.errors import Forbidden, Problem, identifier_problems, require_social_org_uscc
from yishe_kit.outbox import Outbox
from yishe_kit.principal import Principal

from . import repository
from .exceptions import NameTaken, OrganisationNotFound, RegistrationRefused
from .models import Organisation, OrganisationHistory
from .schemas import LegalRepresentativeRead, OrganisationCreate, OrganisationRead

NATIONAL_DIVISION = "100000"
RESERVED_NAME_WORDS = ("中国", "全国", "中华")
_PHONE = re.compile(r"^(1\d{10}|0\d{2,3}-?\d{7,8})$")


def check_registration(data: OrganisationCreate) -> list[Problem]:
    """Every refused condition of a registration, each with its field and rule id."""
    problems = identifier_problems(validate_division_code(data.division_code))
    name = normalise_name(data.name)
    if data.division_code != NATIONAL_DIVISION and any(w in name for w in RESERVED_NAME_WORDS):
        problems.append(Problem("name", "REG-6", "地方社会组织名称不得使用“中国”“全国”“中华”等字词",
                                "A local organisation's name may not use 中国/全国/中华"))
    rep = data.legal_representative
    if rep.id_number:
        problems += identifier_problems(validate_id_number(rep.id_number, field="legal_representative.id_number"))
    if rep.phone and not _PHONE.match(rep.phone):
        problems.append(Problem("legal_representative.phone", "PHONE-1", "联系电话格式不正确",
                                "phone must be an 11-digit mobile number or an area-code landline"))
    if data.party_members:
        pm = data.party_members
        full = sum(1 for m in pm.members if m.status.name == "FULL")
        prob = len(pm.members) - full
        if full > pm.full_count or prob > pm.probationary_count:
            problems.append(Problem("party_members", "PARTY-5", "党员名单人数多于申报的党员人数",
                                    "the member list has more members than the declared counts"))
        for i, m in enumerate(pm.members):
            if m.id_number:
                problems += identifier_problems(
                    validate_id_number(m.id_number, field=f"party_members.members[{i}].id_number"))
    return problems


async def register(session: AsyncSession, *, data: OrganisationCreate, principal: Principal,
                   outbox: Outbox, body_prefix: str = "MJ") -> Organisation:
    """Register an organisation: validate (REG-6, DIV-1, ID-1), issue a USCC (USCC-1..6), record, emit the event."""
    problems = check_registration(data)
    if problems:
        raise RegistrationRefused(problems)
    name_norm = normalise_name(data.name)
    if await repository.name_in_use(session, name_norm):
        raise NameTaken(data.name)
    uscc = await _issue_uscc(session, data.org_type.category, data.division_code, body_prefix)
    now = datetime.now(UTC)
    pm = data.party_members
    org = Organisation(
        uscc=uscc, name=data.name, name_normalised=name_norm, org_type=data.org_type.value,
        division_code=data.division_code, address=data.address, legal_rep_name=data.legal_representative.name,
        legal_rep_id_number=data.legal_representative.id_number, legal_rep_phone=data.legal_representative.phone,
        business_scope=data.business_scope, supervisory_unit=data.supervisory_unit, status="active",
        registration_date=now.date(), registered_at=now,
        party_full_members=pm.full_count if pm else 0, party_probationary_members=pm.probationary_count if pm else 0,
    )
    session.add(org)
    try:
        await session.flush()
    except IntegrityError as exc:  # a concurrent registration of the same name won
        raise NameTaken(data.name) from exc
    session.add(OrganisationHistory(
        uscc=uscc, action="registered", actor=principal.actor, actor_role=principal.role, at=now, before=None,
        after={"name": org.name, "org_type": org.org_type, "status": org.status, "division_code": org.division_code},
        reason="设立登记",
    ))
    await outbox.emit(session, OrganisationRegistered(
        uscc=uscc, name=org.name, org_type=data.org_type, division_code=org.division_code, address=org.address,
        legal_representative=org.legal_rep_name, business_scope=org.business_scope,
        supervisory_unit=org.supervisory_unit, registered_at=now, registration_date=org.registration_date,
        party_full_members=org.party_full_members, party_probationary_members=org.party_probationary_members,
        party_members=[PartyMemberCaptured(**m.model_dump()) for m in (pm.members if pm else [])],
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


async def get(session: AsyncSession, uscc: str) -> Organisation:
    org = await repository.get(session, require_social_org_uscc(uscc))
    if org is None:
        raise OrganisationNotFound(uscc)
    return org


def disclose(org: Organisation, principal: Principal) -> OrganisationRead:
    """CODE-4: the public sees no ID number, phone or Party membership; staff see them masked; internal in full."""
    rep = LegalRepresentativeRead(name=org.legal_rep_name)
    read = OrganisationRead(
        uscc=org.uscc, name=org.name, org_type=org.org_type, division_code=org.division_code, address=org.address,
        legal_representative=rep, business_scope=org.business_scope, supervisory_unit=org.supervisory_unit,
        status=org.status, registration_date=org.registration_date, registered_at=org.registered_at,
    )
    if principal.is_any("internal"):
        rep.id_number, rep.phone = org.legal_rep_id_number, org.legal_rep_phone
    elif principal.is_any("staff", "supervisor", "org"):
        rep.id_number = mask_id_number(org.legal_rep_id_number) if org.legal_rep_id_number else None
        rep.phone = mask_phone(org.legal_rep_phone) if org.legal_rep_phone else None
    if principal.is_any("internal", "staff", "party", "org"):
        read.party_full_members = org.party_full_members
        read.party_probationary_members = org.party_probationary_members
    return read


async def history(session: AsyncSession, uscc: str, principal: Principal) -> list:
    """The trail is for staff and the organisation itself, not the public (CODE-4)."""
    if principal.is_any("public"):
        raise Forbidden("history_forbidden", "the history is not public")
    await get(session, uscc)
    return await repository.history(session, uscc)
