"""The cultivation system (PARTY-4, seeds 000 / 001): bases at four levels (five with Sichuan's profile), each with
its Party-mass service centre, and resident organisations' entry (入驻) and exit (出壳)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from yishe_kit.access import listing_prefix, require_jurisdiction, require_role
from yishe_kit.clock import Clock
from yishe_kit.errors import Conflict, InvalidInput, NotFound, Problem
from yishe_kit.principal import Principal

from ..config import Settings
from ..deps import READERS, WRITERS
from ..organisation import service as organisation_service
from .models import IncubationBase, Residency
from .schemas import BaseCreate, BaseRead, LevelRead, LevelsRead, ResidencyCreate, ResidencyExit, ResidencyRead

EXIT_KINDS = {"graduated": "出壳", "withdrawn": "主动退出", "removed": "清退"}


def levels(settings: Settings) -> LevelsRead:
    profile = settings.incubation.profile
    return LevelsRead(profile=profile, levels=[LevelRead(code=c, label=label, rank=n) for n, (c, label) in
                                               enumerate(settings.incubation.levels[profile], start=1)])


def _labels(settings: Settings) -> dict[str, str]:
    return dict(settings.incubation.levels[settings.incubation.profile])


def _base_read(b: IncubationBase, residencies: list[Residency], settings: Settings) -> BaseRead:
    return BaseRead(base_id=b.base_id, level=b.level, level_label=_labels(settings).get(b.level, b.level), name=b.name,
                    division_code=b.division_code, operator_uscc=b.operator_uscc, opened_on=b.opened_on,
                    party_centre_name=b.party_centre_name, party_centre_established_on=b.party_centre_established_on,
                    party_centre_contact=b.party_centre_contact,
                    residents_now=sum(1 for r in residencies if r.exited_on is None),
                    graduated=sum(1 for r in residencies if r.exit_kind == "graduated"))


def _res_read(r: Residency) -> ResidencyRead:
    return ResidencyRead(residency_id=r.residency_id, base_id=r.base_id, uscc=r.uscc, filing_no=r.filing_no,
                         team_name=r.team_name, name=r.name, entered_on=r.entered_on, entry_reason=r.entry_reason,
                         party_incubated=r.party_incubated, exited_on=r.exited_on, exit_reason=r.exit_reason,
                         exit_kind=r.exit_kind)


async def _residencies(session: AsyncSession, base_ids: list[int]) -> dict[int, list[Residency]]:
    out: dict[int, list[Residency]] = {b: [] for b in base_ids}
    if base_ids:
        for r in await session.scalars(select(Residency).where(Residency.base_id.in_(base_ids))
                                       .order_by(Residency.entered_on, Residency.residency_id)):
            out[r.base_id].append(r)
    return out


async def create_base(session: AsyncSession, principal: Principal, body: BaseCreate, *, clock: Clock,
                      settings: Settings) -> BaseRead:
    require_role(principal, *WRITERS, action_zh="建立孵化基地", action_en="create an incubation base")
    require_jurisdiction(principal, body.division_code)
    labels = _labels(settings)
    problems = []
    if body.level not in labels:
        problems.append(Problem("level", "PARTY-4",
                                f"层级{body.level}不在本地培育体系中（{'、'.join(labels.values())}）",
                                f"level {body.level} is not one of {', '.join(labels)}"))
    today = clock.today()
    for field in ("opened_on", "party_centre_established_on"):
        day = getattr(body, field)
        if day is not None and day > today:
            problems.append(Problem(field, "PARTY-4", f"{field}日期{day}晚于今天", f"{field} {day} is in the future"))
    if problems:
        raise InvalidInput("invalid_base", "the base is not valid", problems)
    b = IncubationBase(**body.model_dump(), created_at=clock.now())
    session.add(b)
    await session.flush()
    return _base_read(b, [], settings)


async def _require_base(session: AsyncSession, principal: Principal, base_id: int) -> IncubationBase:
    b = await session.get(IncubationBase, base_id)
    if b is None:
        raise NotFound("base_not_found", f"no incubation base {base_id}")
    require_jurisdiction(principal, b.division_code)
    return b


async def list_bases(session: AsyncSession, principal: Principal, division: str | None, level: str | None,
                     settings: Settings) -> list[BaseRead]:
    require_role(principal, *READERS, action_zh="查看孵化基地", action_en="list incubation bases")
    prefix = listing_prefix(principal, division)
    stmt = select(IncubationBase).order_by(IncubationBase.division_code, IncubationBase.base_id)
    bases = [b for b in await session.scalars(stmt)
             if (not prefix or b.division_code.startswith(prefix)) and (level is None or b.level == level)]
    res = await _residencies(session, [b.base_id for b in bases])
    return [_base_read(b, res[b.base_id], settings) for b in bases]


async def residents(session: AsyncSession, principal: Principal, base_id: int) -> list[ResidencyRead]:
    require_role(principal, *READERS, action_zh="查看入驻组织", action_en="list residents")
    await _require_base(session, principal, base_id)
    return [_res_read(r) for r in (await _residencies(session, [base_id]))[base_id]]


async def enter(session: AsyncSession, principal: Principal, base_id: int, body: ResidencyCreate, *,
                clock: Clock) -> ResidencyRead:
    """入驻: a registered organisation (USCC), a filed one (filing number) or a project team (name)."""
    require_role(principal, *WRITERS, action_zh="办理入驻", action_en="admit a resident")
    b = await _require_base(session, principal, base_id)
    given = [x for x in (body.uscc, body.filing_no, body.team_name) if x]
    if len(given) != 1:
        raise InvalidInput("invalid_residency", "exactly one of uscc, filing_no, team_name", [Problem(
            "uscc", "PARTY-4", "须填写统一社会信用代码、备案编号或项目团队名称之一",
            "give exactly one of uscc, filing_no or team_name")])
    if body.entered_on > clock.today():
        raise InvalidInput("invalid_residency", "entry date in the future", [Problem(
            "entered_on", "PARTY-4", f"入驻日期{body.entered_on}晚于今天",
            f"entered_on {body.entered_on} is in the future")])
    if body.uscc:
        name = (await organisation_service.require(session, body.uscc)).name
    elif body.filing_no:
        name = (await organisation_service.require_filing(session, body.filing_no)).name
    else:
        name = body.team_name or ""
    current = await session.scalar(select(Residency).where(
        Residency.base_id == b.base_id, Residency.exited_on.is_(None),
        (Residency.uscc == body.uscc) if body.uscc else (Residency.filing_no == body.filing_no) if body.filing_no
        else (Residency.team_name == body.team_name)))
    if current is not None:
        raise Conflict("already_resident", f"{name} is already resident in base {base_id}", [Problem(
            "uscc", "PARTY-4", f"{name}已入驻该基地（{current.entered_on}起），尚未出壳",
            f"{name} is resident since {current.entered_on}")])
    r = Residency(base_id=b.base_id, uscc=body.uscc, filing_no=body.filing_no, team_name=body.team_name, name=name,
                  entered_on=body.entered_on, entry_reason=body.entry_reason, party_incubated=body.party_incubated,
                  recorded_by=principal.actor)
    session.add(r)
    await session.flush()
    return _res_read(r)


async def leave(session: AsyncSession, principal: Principal, residency_id: int, body: ResidencyExit, *,
                clock: Clock) -> ResidencyRead:
    """出壳 (or withdrawal / removal) with its date and reason."""
    require_role(principal, *WRITERS, action_zh="办理出壳", action_en="record an exit")
    r = await session.get(Residency, residency_id)
    if r is None:
        raise NotFound("residency_not_found", f"no residency {residency_id}")
    await _require_base(session, principal, r.base_id)
    if r.exited_on is not None:
        raise Conflict("already_exited", f"residency {residency_id} ended on {r.exited_on}", [Problem(
            "exited_on", "PARTY-4", f"该组织已于{r.exited_on}{EXIT_KINDS.get(r.exit_kind or '', '离开')}",
            f"the residency already ended on {r.exited_on}")])
    problems = []
    if body.exited_on < r.entered_on:
        problems.append(Problem("exited_on", "PARTY-4", f"出壳日期{body.exited_on}早于入驻日期{r.entered_on}",
                                f"exited_on {body.exited_on} is before entered_on {r.entered_on}"))
    if body.exited_on > clock.today():
        problems.append(Problem("exited_on", "PARTY-4", f"出壳日期{body.exited_on}晚于今天",
                                f"exited_on {body.exited_on} is in the future"))
    if problems:
        raise InvalidInput("invalid_exit", "the exit is not valid", problems)
    r.exited_on, r.exit_reason, r.exit_kind = body.exited_on, body.exit_reason, body.exit_kind
    await session.flush()
    return _res_read(r)
