"""Talent pool (党建人才库) and work coverage: instructors, liaison officers and "1+N" leads (PARTY-3, PARTY-10)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING

from sqlalchemy.ext.asyncio import AsyncSession

from yishe_contracts.events.party import FormationRoute
from yishe_contracts.identifiers import validate_division_code
from yishe_kit import clock
from yishe_kit.access import listing_prefix, require_jurisdiction, require_role
from yishe_kit.errors import Problem, identifier_problems, require_social_org_uscc
from yishe_kit.principal import Principal

from ..config import Settings
from ..personal import protect_id_number, protect_phone
from ..record import service as record_service
from ..roles import PARTY_WRITERS, PERSONAL_DATA_READERS
from . import repository
from .exceptions import CoverConflict, CoverNotFound, CoverRefused, TalentNotFound, TalentRefused
from .models import Talent, WorkCover
from .schemas import TalentCreate, TalentRead, TalentUpdate, WorkCoverCreate, WorkCoverEnd, WorkCoverRead

if TYPE_CHECKING:
    from ..record.models import PartyRecord

RULES = {"instructor": "PARTY-3", "liaison": "PARTY-3", "lead_organisation": "PARTY-3"}


def _no_pay_for_cadres(seconded_cadre: bool, allowance: Decimal) -> list[Problem]:
    """PARTY-10: part-time officials sent to organisations take no pay or other benefits."""
    if seconded_cadre and allowance > 0:
        return [Problem("annual_allowance", "PARTY-10",
                        "兼职党政领导干部不得在社会组织获取薪酬和其他额外利益，补贴应为0",
                        "a seconded part-time official receives no pay: the allowance must be 0")]
    return []


def _read(talent: Talent, load: int) -> TalentRead:
    out = TalentRead.model_validate(talent)
    out.current_organisations = load
    return out


async def create_talent(session: AsyncSession, data: TalentCreate, principal: Principal,
                        settings: Settings) -> TalentRead:
    """Enter a person into the talent pool; a seconded cadre with pay is refused (PARTY-10)."""
    require_role(principal, *PARTY_WRITERS, action_zh="维护党建人才库")
    problems = identifier_problems(validate_division_code(data.division_code))
    problems += _no_pay_for_cadres(data.seconded_cadre, data.annual_allowance)
    if problems:
        raise TalentRefused(problems)
    require_jurisdiction(principal, data.division_code)
    masked, hashed = protect_id_number(settings.id_hash_key.get_secret_value(), data.id_number,
                                       field="id_number", strict=True)
    talent = Talent(name=data.name, id_number_masked=masked, id_number_hash=hashed,
                    phone_masked=protect_phone(data.phone),
                    source=data.source, seconded_cadre=data.seconded_cadre, approval_ref=data.approval_ref,
                    division_code=data.division_code,
                    max_organisations=data.max_organisations or settings.instructor_max_organisations,
                    annual_allowance=data.annual_allowance, active=True, created_at=clock.now())
    session.add(talent)
    await session.flush()
    return _read(talent, 0)


async def _talent_for_work(session: AsyncSession, talent_id: int, principal: Principal) -> Talent:
    require_role(principal, *PARTY_WRITERS, action_zh="维护党建人才库")
    talent = await repository.get(session, talent_id)
    if talent is None:
        raise TalentNotFound(talent_id)
    require_jurisdiction(principal, talent.division_code)
    return talent


async def update_talent(session: AsyncSession, talent_id: int, data: TalentUpdate,
                        principal: Principal) -> TalentRead:
    """Approval, capacity, allowance (still none for seconded cadres, PARTY-10) or withdrawal from the pool."""
    talent = await _talent_for_work(session, talent_id, principal)
    allowance = data.annual_allowance if data.annual_allowance is not None else talent.annual_allowance
    problems = _no_pay_for_cadres(talent.seconded_cadre, allowance)
    if problems:
        raise TalentRefused(problems)
    for field in data.model_fields_set:
        if getattr(data, field) is not None:
            setattr(talent, field, getattr(data, field))
    await session.flush()
    return _read(talent, (await repository.loads(session, [talent_id])).get(talent_id, 0))


async def list_talents(session: AsyncSession, principal: Principal, division: str | None) -> list[TalentRead]:
    """The pool (personal data: Party-building roles only, masked)."""
    require_role(principal, *PERSONAL_DATA_READERS, action_zh="查看党建人才库")
    talents = await repository.listing(session, listing_prefix(principal, division) or "")
    loads = await repository.loads(session)
    return [_read(t, loads.get(t.talent_id, 0)) for t in talents]


async def _sync_record(session: AsyncSession, record: PartyRecord) -> None:
    record_service.set_work_covers(record, len(await repository.current_covers(session, record.uscc)))


async def _check_talent(session: AsyncSession, talent: Talent, uscc: str) -> None:
    if not talent.active:
        raise CoverConflict("talent_id", "PARTY-3", "该人员已退出党建人才库", "the person has left the talent pool")
    if talent.seconded_cadre and not talent.approval_ref:
        raise CoverConflict("talent_id", "PARTY-10", "选派党政领导干部须按规定审批后方可派出",
                            "a cadre is sent only after approval (approval_ref)")
    if any(c.talent_id == talent.talent_id for c in await repository.current_covers(session, uscc)):
        raise CoverConflict("talent_id", "PARTY-3", "该人员已在指导该组织", "already assigned to this organisation")
    load = (await repository.loads(session, [talent.talent_id])).get(talent.talent_id, 0)
    if load >= talent.max_organisations:
        raise CoverConflict("talent_id", "PARTY-3", f"该指导员已指导{load}个组织，达到上限",
                            f"the instructor already covers {load} organisations, the maximum")


async def _check_lead(session: AsyncSession, record: PartyRecord, lead_uscc: str, settings: Settings) -> None:
    """PARTY-3 "1+N": a nearby organisation with its own Party organisation leads one without members."""
    lead = await record_service.find(session, require_social_org_uscc(lead_uscc))
    digits = settings.joint_branch_division_digits
    problems = []
    if lead is None or lead.uscc == record.uscc or not record_service.is_active(lead):
        problems.append(Problem("lead_uscc", "PARTY-3", "带动组织须为另一个在册社会组织",
                                "the lead must be another active organisation"))
    elif lead.party_org_formation != "own":
        problems.append(Problem("lead_uscc", "PARTY-3", "带动组织须已单独建立党组织（党建工作基础好）",
                                "the lead organisation must have its own Party organisation"))
    elif lead.division_code[:digits] != record.division_code[:digits]:
        problems.append(Problem("lead_uscc", "PARTY-3", "“1+N”应就近带动，带动组织须属同一区划",
                                "a \"1+N\" lead must be nearby: same division area"))
    if problems:
        raise CoverRefused(problems)


async def assign(session: AsyncSession, uscc: str, data: WorkCoverCreate, principal: Principal,
                 settings: Settings) -> WorkCoverRead:
    """PARTY-3: send an instructor / liaison officer from the pool, or designate a "1+N" lead organisation."""
    record = await record_service.get_for_party_work(session, uscc, principal, what="选派党建工作指导员")
    if data.kind == "lead_organisation":
        if not data.lead_uscc:
            raise CoverRefused([Problem("lead_uscc", "PARTY-3", "请指定带动组织", "lead_uscc is required")])
        await _check_lead(session, record, data.lead_uscc, settings)
        cover = WorkCover(uscc=uscc, kind=data.kind, lead_uscc=data.lead_uscc, rule="PARTY-3")
    else:
        if data.talent_id is None:
            raise CoverRefused([Problem("talent_id", "PARTY-3", "请从党建人才库选择人员", "talent_id is required")])
        talent = await repository.get(session, data.talent_id)
        if talent is None:
            raise TalentNotFound(data.talent_id)
        await _check_talent(session, talent, uscc)
        cover = WorkCover(uscc=uscc, kind=data.kind, talent_id=talent.talent_id, rule=RULES[data.kind])
    cover.started_on, cover.assigned_by = data.started_on or clock.today(), principal.actor
    session.add(cover)
    await session.flush()
    await _sync_record(session, record)
    return WorkCoverRead.model_validate(cover)


async def end_cover(session: AsyncSession, cover_id: int, data: WorkCoverEnd, principal: Principal) -> WorkCoverRead:
    """An instructor is withdrawn or a "1+N" designation ends."""
    require_role(principal, *PARTY_WRITERS, action_zh="撤回党建工作指导员")
    cover = await repository.get_cover(session, cover_id)
    if cover is None:
        raise CoverNotFound(cover_id)
    record = await record_service.get_or_404(session, cover.uscc)
    require_jurisdiction(principal, record.division_code)
    if cover.ended_on is None:
        cover.ended_on, cover.end_reason = data.ended_on or clock.today(), data.reason
        await session.flush()
        await _sync_record(session, record)
    return WorkCoverRead.model_validate(cover)


async def list_covers(session: AsyncSession, uscc: str, principal: Principal) -> list[WorkCoverRead]:
    """Who covers the organisation's Party work, past and present."""
    require_role(principal, "party", "staff", "internal", action_zh="查看党建工作指导员")
    record = await record_service.get_or_404(session, uscc)
    require_jurisdiction(principal, record.division_code)
    return [WorkCoverRead.model_validate(c) for c in await repository.covers_of(session, uscc)]


async def auto_assign(session: AsyncSession, record: PartyRecord, *, on: date, settings: Settings,
                      actor: str = "system") -> WorkCover | None:
    """PARTY-3 / PARTY-5 (三同步): an organisation without members gets an instructor from the pool at once: the
    nearest division first, then the least loaded; none free → the task stays open for the daily job."""
    if record.route != FormationRoute.INSTRUCTOR.value or record.party_org_id is not None:
        return None
    if await repository.current_covers(session, record.uscc):
        return None
    prefix = record.division_code[:settings.instructor_match_digits]
    talents = [t for t in await repository.listing(session, prefix, active_only=True)
               if not t.seconded_cadre or t.approval_ref]
    loads = await repository.loads(session, [t.talent_id for t in talents])
    free = [t for t in talents if loads.get(t.talent_id, 0) < t.max_organisations]
    if not free:
        return None
    free.sort(key=lambda t: (-_shared_prefix(t.division_code, record.division_code), loads.get(t.talent_id, 0),
                             t.talent_id))
    cover = WorkCover(uscc=record.uscc, kind="instructor", talent_id=free[0].talent_id, started_on=on,
                      rule="PARTY-3", assigned_by=actor)
    session.add(cover)
    await session.flush()
    await _sync_record(session, record)
    return cover


async def auto_assign_many(session: AsyncSession, records: list[tuple[record_service.Opened, date]], *,
                           settings: Settings, actor: str = "system") -> None:
    """`auto_assign` (PARTY-3) for a batch of (record just opened, start day), set-based: the pool of each division
    prefix read once, the loads once, the current covers once; records served in order, each assignment counted in
    the loads before the next (the same instructors as one by one), the covers written in one flush and the records'
    counts in one statement."""
    wanting = [(r, on) for r, on in records if r.route == FormationRoute.INSTRUCTOR.value]  # none has a Party org
    if not wanting:
        return
    covered = await repository.current_cover_counts(session, [r.uscc for r, _ in wanting])
    pools: dict[str, list[Talent]] = {}
    for r, _ in wanting:
        prefix = r.division_code[:settings.instructor_match_digits]
        if prefix not in pools:
            pools[prefix] = [t for t in await repository.listing(session, prefix, active_only=True)
                             if not t.seconded_cadre or t.approval_ref]
    loads = await repository.loads(session, sorted({t.talent_id for pool in pools.values() for t in pool}))
    assigned: list[str] = []
    for record, on in wanting:
        if covered.get(record.uscc):
            continue
        pool = pools[record.division_code[:settings.instructor_match_digits]]
        free = [t for t in pool if loads.get(t.talent_id, 0) < t.max_organisations]
        if not free:
            continue
        free.sort(key=lambda t: (-_shared_prefix(t.division_code, record.division_code), loads.get(t.talent_id, 0),
                                 t.talent_id))
        chosen = free[0]
        session.add(WorkCover(uscc=record.uscc, kind="instructor", talent_id=chosen.talent_id, started_on=on,
                              rule="PARTY-3", assigned_by=actor))
        loads[chosen.talent_id] = loads.get(chosen.talent_id, 0) + 1
        covered[record.uscc] = covered.get(record.uscc, 0) + 1
        assigned.append(record.uscc)
    if assigned:
        await session.flush()
        await record_service.set_work_covers_many(session, {uscc: covered[uscc] for uscc in assigned})


def _shared_prefix(a: str, b: str) -> int:
    n = 0
    while n < min(len(a), len(b)) and a[n] == b[n]:
        n += 1
    return n


async def end_all(session: AsyncSession, record: PartyRecord, *, on: date, reason: str) -> None:
    """A deregistered organisation frees its instructors (capacity goes back to the pool)."""
    for cover in await repository.current_covers(session, record.uscc):
        cover.ended_on, cover.end_reason = on, reason
    await session.flush()
    await _sync_record(session, record)


async def covered_on(session: AsyncSession, day: date, usccs: list[str] | None = None) -> set[str]:
    """Organisations with an instructor, liaison officer or "1+N" lead on `day` (work coverage)."""
    return await repository.covered_on(session, day, usccs)


async def talent_costs(session: AsyncSession, *, start: date, end: date,
                       prefix: str) -> list[tuple[Talent, list[WorkCover]]]:
    """Pool talent active in [start, end] with their covers (PARTY-10 funding view)."""
    out: dict[int, tuple[Talent, list[WorkCover]]] = {}
    for talent, cover in await repository.talent_covers_in(session, start, end, prefix):
        out.setdefault(talent.talent_id, (talent, []))[1].append(cover)
    return list(out.values())
