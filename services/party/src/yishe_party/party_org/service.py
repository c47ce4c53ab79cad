"""Party organisations: establishment as own (PARTY-1) or joint branch (PARTY-2), units, dissolution."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from sqlalchemy.ext.asyncio import AsyncSession

from yishe_contracts.identifiers import validate_social_org_uscc
from yishe_kit import clock
from yishe_kit.access import listing_prefix, require_jurisdiction, require_role
from yishe_kit.errors import Problem
from yishe_kit.principal import Principal

from ..config import Settings
from ..record import service as record_service
from ..roles import OVERSIGHT_READERS, PARTY_WRITERS
from . import officers, repository
from .exceptions import AlreadyCovered, FormationRefused, PartyOrgDissolved, PartyOrgNotFound, UnitNotInOrg
from .models import PartyOrganisation, PartyOrgUnit, SecretaryAssessment
from .schemas import DissolutionIn, PartyOrgCreate, PartyOrgRead, PartyOrgUpdate, UnitJoin, UnitLeave, UnitRead

if TYPE_CHECKING:
    from ..record.models import PartyRecord

MIN_FULL_MEMBERS_PER_BRANCH = 3


def add_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


async def _unit_records(session: AsyncSession, usccs: list[str], principal: Principal, *,
                        field: str) -> tuple[list[PartyRecord], list[Problem]]:
    problems: list[Problem] = []
    records: list[PartyRecord] = []
    if len(set(usccs)) != len(usccs):
        problems.append(Problem(field, "PARTY-2", "覆盖单位不能重复", "a unit is listed twice"))
    for i, uscc in enumerate(dict.fromkeys(usccs)):
        bad = validate_social_org_uscc(uscc, field=f"{field}[{i}]")
        if bad:
            problems += [Problem(p.field, p.rule, p.message_zh, p.message_en) for p in bad]
            continue
        record = await record_service.find(session, uscc)
        if record is None or not record_service.is_active(record):
            problems.append(Problem(f"{field}[{i}]", "PARTY-5", f"{uscc} 没有在册的党建档案（未登记或已注销）",
                                    f"{uscc} has no active Party-building record"))
            continue
        require_jurisdiction(principal, record.division_code)
        records.append(record)
    return records, problems


def unit_problems(records: list[PartyRecord], formation: str, settings: Settings, *, field: str) -> list[Problem]:
    """PARTY-1: own needs one unit with ≥3 full members; PARTY-2: a joint branch of 2..max units in one division
    area, none of which must have its own organisation, with ≥3 full members in total."""
    problems: list[Problem] = []
    if formation == "own":
        if len(records) != 1:
            problems.append(Problem(field, "PARTY-1", "单独建立的党组织只能覆盖一个社会组织",
                                    "an own Party organisation covers exactly one organisation"))
        for r in records:
            if r.full_members < MIN_FULL_MEMBERS_PER_BRANCH:
                problems.append(Problem(
                    field, "PARTY-1", f"{r.org_name} 正式党员不足3名，不能单独建立党组织，应联合组建或选派指导员",
                    f"{r.uscc} has fewer than 3 full members: no own Party organisation"))
        return problems
    limit = settings.joint_branch_max_units
    if not 2 <= len(records) <= limit:
        problems.append(Problem(field, "PARTY-2", f"联合党支部覆盖单位应为2至{limit}个，实为{len(records)}个",
                                f"a joint branch covers 2 to {limit} units, got {len(records)}"))
    digits = settings.joint_branch_division_digits
    areas = {r.division_code[:digits] for r in records}
    if len(areas) > 1:
        problems.append(Problem(field, "PARTY-2", f"联合党支部应按地域相邻组建，覆盖单位须属同一区划（前{digits}位）："
                                f"{'、'.join(sorted(areas))}",
                                f"joint branch units must share the first {digits} division digits, got "
                                f"{', '.join(sorted(areas))}"))
    for r in records:
        if r.full_members >= MIN_FULL_MEMBERS_PER_BRANCH:
            problems.append(Problem(field, "PARTY-1", f"{r.org_name} 有3名以上正式党员，应单独建立党组织",
                                    f"{r.uscc} has 3 or more full members and must have its own Party organisation"))
    if records and sum(r.full_members for r in records) < MIN_FULL_MEMBERS_PER_BRANCH:
        problems.append(Problem(
            field, "PARTY-2", "联合党支部正式党员合计不足3名，暂不具备组建条件，应选派党建工作指导员",
            "the units have fewer than 3 full members in total: assign an instructor instead"))
    return problems


async def _ensure_uncovered(session: AsyncSession, records: list[PartyRecord], *, field: str) -> None:
    current = await repository.current_unit_of(session, [r.uscc for r in records])
    for i, r in enumerate(records):
        if r.uscc in current:
            raise AlreadyCovered(f"{field}[{i}]", r.uscc, current[r.uscc].org_id)


async def establish(session: AsyncSession, data: PartyOrgCreate, principal: Principal,
                    settings: Settings) -> PartyOrgRead:
    """PARTY-1 / PARTY-2: set up a Party organisation over its units; their reporting line follows (PARTY-7)."""
    require_role(principal, *PARTY_WRITERS, action_zh="组建党组织")
    records, problems = await _unit_records(session, data.units, principal, field="units")
    if not problems:
        problems = unit_problems(records, data.formation, settings, field="units")
    host = data.host_uscc or data.units[0]
    if host not in data.units:
        problems.append(Problem("host_uscc", "PARTY-2", "牵头单位须为覆盖单位之一",
                                "the host must be one of the units"))
    if data.demonstration and data.demonstration_year is None:
        problems.append(Problem("demonstration_year", "PARTY-8", "示范引领型党组织须注明认定年度",
                                "a demonstration organisation needs the year it was designated"))
    problems += officers.committee_problems(data.committee)
    if problems:
        raise FormationRefused(problems)
    await _ensure_uncovered(session, records, field="units")
    host_record = next(r for r in records if r.uscc == host)
    term = data.term_years or settings.term_years.get(data.level, 3)
    org = PartyOrganisation(
        name=data.name, formation=data.formation, level=data.level, host_uscc=host,
        division_code=host_record.division_code, established_on=data.established_on,
        term_started_on=data.established_on, term_years=term, reelection_due=add_years(data.established_on, term),
        demonstration=data.demonstration, demonstration_year=data.demonstration_year if data.demonstration else None,
        created_at=clock.now(), created_by=principal.actor)
    session.add(org)
    await session.flush()
    for r in records:
        session.add(PartyOrgUnit(org_id=org.org_id, uscc=r.uscc, joined_on=data.established_on))
        record_service.attach_party_org(r, org.org_id, org.formation, settings)
    officers.appoint(session, org, secretary=data.secretary, committee=data.committee, on=data.established_on)
    await session.flush()
    return await to_read(session, org)


async def org_for_work(session: AsyncSession, org_id: int, principal: Principal, what: str) -> PartyOrganisation:
    require_role(principal, *PARTY_WRITERS, action_zh=what)
    org = await repository.get(session, org_id)
    if org is None:
        raise PartyOrgNotFound(org_id)
    require_jurisdiction(principal, org.division_code)
    if org.dissolved_on is not None:
        raise PartyOrgDissolved(org_id)
    return org


async def add_unit(session: AsyncSession, org_id: int, data: UnitJoin, principal: Principal,
                   settings: Settings) -> PartyOrgRead:
    """PARTY-2: one more unit joins a joint branch, within the unit limit and the division area."""
    org = await org_for_work(session, org_id, principal, "调整联合党支部")
    current = await repository.units(session, [org_id], current_only=True)
    records, problems = await _unit_records(session, [data.uscc], principal, field="uscc")
    if org.formation != "joint":
        problems.append(Problem("org_id", "PARTY-1", "单独建立的党组织不能再增加覆盖单位",
                                "an own Party organisation cannot take further units"))
    if not problems:
        members = [await record_service.find(session, u.uscc) for u in current]
        problems = unit_problems([m for m in members if m is not None] + records, "joint", settings, field="uscc")
    if problems:
        raise FormationRefused(problems)
    await _ensure_uncovered(session, records, field="uscc")
    session.add(PartyOrgUnit(org_id=org_id, uscc=data.uscc, joined_on=data.joined_on or clock.today()))
    record_service.attach_party_org(records[0], org_id, org.formation, settings)
    await session.flush()
    return await to_read(session, org)


async def leave_unit(session: AsyncSession, org_id: int, uscc: str, data: UnitLeave, principal: Principal,
                     settings: Settings) -> PartyOrgRead:
    """A unit leaves a joint branch (e.g. it now sets up its own organisation)."""
    org = await org_for_work(session, org_id, principal, "调整联合党支部")
    unit = next((u for u in await repository.units(session, [org_id], current_only=True) if u.uscc == uscc), None)
    if unit is None:
        raise UnitNotInOrg(uscc)
    unit.left_on, unit.left_reason = data.left_on or clock.today(), data.reason
    record = await record_service.find(session, uscc)
    if record is not None:
        record_service.attach_party_org(record, None, None, settings)
    await session.flush()
    return await to_read(session, org)


async def update(session: AsyncSession, org_id: int, data: PartyOrgUpdate, principal: Principal) -> PartyOrgRead:
    """Rename, change the secretary, or designate a demonstration organisation (PARTY-8 one-off grant year)."""
    org = await org_for_work(session, org_id, principal, "维护党组织")
    if data.demonstration and (data.demonstration_year or org.demonstration_year) is None:
        raise FormationRefused([Problem("demonstration_year", "PARTY-8", "示范引领型党组织须注明认定年度",
                                        "a demonstration organisation needs the year it was designated")])
    if data.name:
        org.name = data.name
    if data.demonstration is not None:
        org.demonstration = data.demonstration
        org.demonstration_year = (data.demonstration_year or org.demonstration_year) if data.demonstration else None
    elif data.demonstration_year is not None and org.demonstration:
        org.demonstration_year = data.demonstration_year
    if data.secretary is not None:
        await officers.change_secretary(session, org, data.secretary, on=clock.today())
    await session.flush()
    return await to_read(session, org)


async def dissolve(session: AsyncSession, org_id: int, data: DissolutionIn, principal: Principal,
                   settings: Settings) -> PartyOrgRead:
    """Dissolution (撤销): units are uncovered from that day; the coverage job then sees them as not covered."""
    org = await org_for_work(session, org_id, principal, "撤销党组织")
    on = data.dissolved_on or clock.today()
    org.dissolved_on, org.dissolution_reason = on, data.reason
    for unit in await repository.units(session, [org_id], current_only=True):
        unit.left_on, unit.left_reason = on, "党组织撤销"
        record = await record_service.find(session, unit.uscc)
        if record is not None:
            record_service.attach_party_org(record, None, None, settings)
    await officers.end_committee(session, org, on=on)
    await session.flush()
    return await to_read(session, org)


async def leave_all(session: AsyncSession, uscc: str, *, on: date, reason: str, settings: Settings) -> None:
    """A deregistered organisation leaves its Party organisation's units (joint branches regain room)."""
    current = await repository.current_unit_of(session, [uscc])
    if uscc in current:
        current[uscc].left_on, current[uscc].left_reason = on, reason
        record = await record_service.find(session, uscc)
        if record is not None:
            record_service.attach_party_org(record, None, None, settings)


async def to_read(session: AsyncSession, org: PartyOrganisation) -> PartyOrgRead:
    out = PartyOrgRead.model_validate(org)
    out.reelection_overdue = org.dissolved_on is None and org.reelection_due < clock.today()
    out.units = [UnitRead.model_validate(u) for u in await repository.units(session, [org.org_id])]
    committee = await repository.committee(session, org.org_id)
    out.committee, out.cross_appointment = officers.committee_read(committee)
    out.assessments = await officers.assessments_read(session, org.org_id)
    return out


async def read_by_id(session: AsyncSession, org_id: int) -> PartyOrgRead | None:
    org = await repository.get(session, org_id)
    return None if org is None else await to_read(session, org)


async def get(session: AsyncSession, org_id: int, principal: Principal) -> PartyOrgRead:
    """One Party organisation with its units, committee, cross-appointment (PARTY-11) and assessments."""
    require_role(principal, *OVERSIGHT_READERS, action_zh="查看党组织")
    org = await repository.get(session, org_id)
    if org is None:
        raise PartyOrgNotFound(org_id)
    require_jurisdiction(principal, org.division_code)
    return await to_read(session, org)


async def list_orgs(session: AsyncSession, principal: Principal, *, division: str | None,
                    reelection_due_before: date | None, include_dissolved: bool) -> list[PartyOrgRead]:
    """Party organisations of a division, e.g. those whose re-election (换届) falls due before a date."""
    require_role(principal, *OVERSIGHT_READERS, action_zh="查看党组织")
    prefix = listing_prefix(principal, division) or ""
    orgs = await repository.listing(session, prefix=prefix, due_before=reelection_due_before,
                                    include_dissolved=include_dissolved)
    return [await to_read(session, o) for o in orgs]


async def covering_on(session: AsyncSession, day: date, usccs: list[str] | None = None) -> dict[str, str]:
    """Organisations covered by a Party organisation on `day` → its formation (own / joint)."""
    out: dict[str, str] = {}
    for unit, org in await repository.covering_on(session, day, usccs):
        if out.get(unit.uscc) != "own":
            out[unit.uscc] = org.formation
    return out


async def funding_basis(session: AsyncSession, *, year: int, reference: date, prefix: str,
                        ) -> list[tuple[PartyOrganisation, list[str], SecretaryAssessment | None]]:
    """Party organisations existing in `year`, their units on the reference day and the year's assessment."""
    orgs = await repository.alive_in_year(session, prefix=prefix, year_start=date(year, 1, 1),
                                          year_end=date(year, 12, 31))
    units = await repository.units(session, [o.org_id for o in orgs])
    assessed = await repository.assessments_for_year(session, year)
    out = []
    for org in orgs:
        alive = org.established_on <= reference and (org.dissolved_on is None or org.dissolved_on > reference)
        on_day = [u.uscc for u in units if u.org_id == org.org_id and u.joined_on <= reference
                  and (u.left_on is None or u.left_on > reference)] if alive else []
        out.append((org, on_day, assessed.get(org.org_id)))
    return out


async def open_joint_branches(session: AsyncSession, prefix: str) -> list[tuple[PartyOrganisation, list[str]]]:
    """Joint branches not dissolved, with their current units (for PARTY-2 suggestions)."""
    orgs = await repository.open_joint_branches(session, prefix)
    units = await repository.units(session, [o.org_id for o in orgs], current_only=True)
    return [(o, [u.uscc for u in units if u.org_id == o.org_id]) for o in orgs]
