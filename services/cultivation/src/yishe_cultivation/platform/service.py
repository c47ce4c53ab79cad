"""Township/street service platforms (PLAT-1..4, PLAT-6): the operator rule, the yearly 100-point assessment with
its band, and the share in physical operation per county."""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from decimal import Decimal

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from yishe_contracts.events.cultivation import PlatformAssessed, PlatformBand
from yishe_kit.access import listing_prefix, require_jurisdiction, require_role
from yishe_kit.clock import Clock
from yishe_kit.db import flush_or_conflict
from yishe_kit.errors import InvalidInput, Problem
from yishe_kit.outbox import Outbox
from yishe_kit.principal import Principal
from yishe_kit.readmodel import BUMP_EPOCH_SQL

from ..config import Settings
from ..deps import READERS, WRITERS
from ..organisation import service as organisation_service
from . import repository
from .exceptions import PlatformExists, PlatformNotFound
from .models import Assessment, Platform
from .schemas import (
    AssessmentIn,
    AssessmentRead,
    ItemScoreRead,
    OperationReport,
    OperationRow,
    PlatformCreate,
    PlatformRead,
    PlatformUpdate,
    RubricItemRead,
)

HUNDRED = Decimal(100)


def band(total: Decimal, settings: Settings) -> PlatformBand:
    """PLAT-2: ≥ 90 示范型, 75 ≤ s < 90 完善型, below 提升型."""
    if total >= settings.platform.demonstration_min:
        return PlatformBand.DEMONSTRATION
    if total >= settings.platform.well_developed_min:
        return PlatformBand.WELL_DEVELOPED
    return PlatformBand.IMPROVEMENT


def rubric(settings: Settings) -> list[RubricItemRead]:
    return [RubricItemRead(**i.model_dump()) for i in settings.platform.rubric]


async def _void_profiles(session: AsyncSession) -> None:
    """The 一社一码 fragments name each organisation's platform: a platform change voids them all (rare writes)."""
    await session.execute(text(BUMP_EPOCH_SQL))


async def check_operator(session: AsyncSession, township_code: str, uscc: str, on: date,
                         settings: Settings) -> tuple[str, bool]:
    """PLAT-1 专业运营: an operator from outside the area must be ≥ 2 years registered and graded ≥ 3A (from the
    registry's registration and grade events). Returns (name, local)."""
    org = await organisation_service.repository.get(session, uscc)
    if org is None:
        raise InvalidInput("operator_unknown", "the operator is not a registered organisation known here", [Problem(
            "operator_uscc", "PLAT-1", f"运营机构{uscc}不是已登记的社会组织（或登记信息尚未同步）",
            f"operator {uscc} is not a registered social organisation known to cultivation")])
    if org.status not in organisation_service.ACTIVE:
        raise InvalidInput("operator_inactive", "the operator is not active", [Problem(
            "operator_uscc", "PLAT-1", f"运营机构{org.name}登记状态为{org.status}，不能运营服务平台",
            f"operator {uscc} is {org.status}")])
    digits = settings.platform.local_prefix_digits
    local = org.division_code[:digits] == township_code[:digits]
    if local:
        return org.name, True
    problems = []
    years = organisation_service.registered_years(org, on)
    if years < settings.platform.outside_operator_min_years:
        problems.append(Problem("operator_uscc", "PLAT-1",
                                f"非本地区运营机构须成立{settings.platform.outside_operator_min_years}年及以上"
                                f"（{org.name}成立于{org.registration_date}，不满）",
                                f"an operator from outside the area must be registered ≥ "
                                f"{settings.platform.outside_operator_min_years} years ({org.registration_date})"))
    if organisation_service.grade_level(org.grade) < settings.platform.outside_operator_min_grade:
        problems.append(Problem("operator_uscc", "PLAT-1",
                                f"非本地区运营机构评估等级须不低于{settings.platform.outside_operator_min_grade}A"
                                f"（{org.name}当前等级：{org.grade or '无'}）",
                                f"an operator from outside the area must be graded ≥ "
                                f"{settings.platform.outside_operator_min_grade}A (now {org.grade or 'none'})"))
    if problems:
        raise InvalidInput("operator_not_eligible", "the operator fails the outside-operator rule", problems)
    return org.name, False


def _warnings(p: Platform, settings: Settings) -> list[str]:
    out = []
    if p.space_m2 is not None and p.space_m2 < settings.platform.min_space_m2:
        out.append(f"场所面积{p.space_m2}㎡，低于一般要求的{settings.platform.min_space_m2}㎡（PLAT-1 实体运作）")
    if p.operator_uscc and p.full_time_social_workers < 1:
        out.append("运营方未配备专职社会工作者（PLAT-1 专业运营）")
    return out


def to_read(p: Platform, settings: Settings, latest: Assessment | None = None) -> PlatformRead:
    return PlatformRead(
        platform_id=p.platform_id, township_code=p.township_code, division_code=p.division_code, name=p.name,
        operator_uscc=p.operator_uscc, operator_name=p.operator_name, operator_local=p.operator_local,
        space_m2=p.space_m2, full_time_social_workers=p.full_time_social_workers,
        physical_operation=p.physical_operation, operating_since=p.operating_since,
        latest_year=latest.year if latest else None, latest_total=latest.total if latest else None,
        latest_band=latest.band if latest else None, warnings=_warnings(p, settings))


async def create(session: AsyncSession, principal: Principal, body: PlatformCreate, *, clock: Clock,
                 settings: Settings) -> PlatformRead:
    require_role(principal, *WRITERS, action_zh="建立乡镇（街道）社会组织服务平台", action_en="create a platform")
    require_jurisdiction(principal, body.township_code, "township_code")
    if await repository.by_township(session, body.township_code) is not None:
        raise PlatformExists(body.township_code)
    today = clock.today()
    operator_name, local = (None, None)
    if body.operator_uscc:
        operator_name, local = await check_operator(session, body.township_code, body.operator_uscc, today, settings)
    now = clock.now()
    p = Platform(township_code=body.township_code, division_code=body.township_code[:6], name=body.name,
                 operator_uscc=body.operator_uscc, operator_name=operator_name, operator_local=local,
                 space_m2=body.space_m2, full_time_social_workers=body.full_time_social_workers,
                 physical_operation=body.physical_operation, operating_since=body.operating_since,
                 created_at=now, updated_at=now)
    session.add(p)
    await flush_or_conflict(session, "platform_exists", f"township {body.township_code} already has a platform")
    await _void_profiles(session)
    return to_read(p, settings)


async def require(session: AsyncSession, principal: Principal, platform_id: int) -> Platform:
    p = await repository.get(session, platform_id)
    if p is None:
        raise PlatformNotFound(platform_id)
    require_jurisdiction(principal, p.township_code, "township_code")
    return p


async def update(session: AsyncSession, principal: Principal, platform_id: int, body: PlatformUpdate, *,
                 clock: Clock, settings: Settings) -> PlatformRead:
    require_role(principal, *WRITERS, action_zh="修改服务平台信息", action_en="change a platform")
    p = await require(session, principal, platform_id)
    data = body.model_dump(exclude_unset=True)
    if data.get("operator_uscc") and data["operator_uscc"] != p.operator_uscc:
        p.operator_name, p.operator_local = await check_operator(session, p.township_code, data["operator_uscc"],
                                                                 clock.today(), settings)
    elif "operator_uscc" in data and data["operator_uscc"] is None:
        p.operator_name = p.operator_local = None
    for key, value in data.items():
        setattr(p, key, value)
    p.updated_at = clock.now()
    await session.flush()
    await _void_profiles(session)
    return to_read(p, settings, await _latest(session, p.platform_id))


async def _latest(session: AsyncSession, platform_id: int) -> Assessment | None:
    rows = await repository.assessments(session, [platform_id])
    return rows[-1] if rows else None


async def get(session: AsyncSession, principal: Principal, platform_id: int, settings: Settings) -> PlatformRead:
    require_role(principal, *READERS, action_zh="查看服务平台", action_en="read platforms")
    p = await require(session, principal, platform_id)
    return to_read(p, settings, await _latest(session, platform_id))


async def list_platforms(session: AsyncSession, principal: Principal, division: str | None,
                         settings: Settings, band_filter: str | None = None) -> list[PlatformRead]:
    require_role(principal, *READERS, action_zh="查看服务平台", action_en="read platforms")
    platforms = await repository.in_prefix(session, listing_prefix(principal, division))
    latest: dict[int, Assessment] = {}
    for a in await repository.assessments(session, [p.platform_id for p in platforms]):
        latest[a.platform_id] = a  # ordered by year: the last is the latest
    out = [to_read(p, settings, latest.get(p.platform_id)) for p in platforms]
    return [r for r in out if band_filter is None or r.latest_band == band_filter]


def _assessment_read(a: Assessment, p: Platform) -> AssessmentRead:
    return AssessmentRead(assessment_id=a.assessment_id, platform_id=a.platform_id, township_code=p.township_code,
                          year=a.year, total=a.total, band=a.band, items=[ItemScoreRead(**i) for i in a.items],
                          assessor=a.assessor, assessed_on=a.assessed_on, recorded_by=a.recorded_by)


def score_items(body: AssessmentIn, settings: Settings) -> tuple[list[dict], Decimal]:
    """PLAT-1: every rubric item scored once, each score within its item's points; the total out of 100."""
    items = {i.code: i for i in settings.platform.rubric}
    problems: list[Problem] = []
    seen: set[str] = set()
    scored: list[dict] = []
    for n, given in enumerate(body.items):
        item = items.get(given.code)
        field = f"items[{n}].code"
        if item is None:
            problems.append(Problem(field, "PLAT-1", f"评分项{given.code}不在100分评价细则中",
                                    f"{given.code} is not an item of the 100-point rubric"))
            continue
        if given.code in seen:
            problems.append(Problem(field, "PLAT-1", f"评分项“{item.label}”重复评分",
                                    f"item {given.code} is scored twice"))
            continue
        seen.add(given.code)
        if given.score > item.points:
            problems.append(Problem(f"items[{n}].score", "PLAT-1",
                                    f"“{item.label}”得分{given.score}超过该项分值{item.points}分",
                                    f"{item.label} ({given.code}) scored {given.score}, "
                                    f"above its {item.points} points"))
            continue
        scored.append({"code": item.code, "label": item.label, "points": item.points, "score": str(given.score),
                       "evidence": [e.strip() for e in given.evidence if e.strip()], "note": given.note})
    for code, item in items.items():
        if code not in seen:
            problems.append(Problem("items", "PLAT-1", f"缺少评分项“{item.label}”（{item.points}分）",
                                    f"item {code} ({item.label}) is not scored"))
    if problems:
        raise InvalidInput("invalid_assessment", "the assessment does not fit the 100-point rubric", problems)
    return scored, sum((Decimal(i["score"]) for i in scored), Decimal(0)).quantize(Decimal("0.01"))


async def assess(session: AsyncSession, principal: Principal, platform_id: int, year: int, body: AssessmentIn, *,
                 clock: Clock, outbox: Outbox, settings: Settings) -> AssessmentRead:
    """PLAT-3: the year's assessment (recording it again for the same year corrects it)."""
    require_role(principal, *WRITERS, action_zh="录入服务平台年度评估", action_en="record a platform assessment")
    p = await require(session, principal, platform_id)
    today = clock.today()
    on = body.assessed_on or today
    problems = []
    if on > today:
        problems.append(Problem("assessed_on", "PLAT-3", f"评估日期{on}晚于今天{today}",
                                f"assessed_on {on} is after today {today}"))
    if year > today.year or year < 2000:
        problems.append(Problem("year", "PLAT-3", f"评估年度{year}无效（不能晚于本年度）",
                                f"year {year} is not a past or current year"))
    if problems:
        raise InvalidInput("invalid_assessment", "the assessment's dates are not valid", problems)
    items, total = score_items(body, settings)
    b = band(total, settings)
    a = await repository.assessment(session, platform_id, year)
    if a is None:
        a = Assessment(platform_id=platform_id, year=year)
        session.add(a)
    a.total, a.band, a.items, a.assessor, a.assessed_on = total, b.value, items, body.assessor, on
    a.recorded_by, a.recorded_at = principal.actor, clock.now()
    await flush_or_conflict(session, "assessment_exists", f"platform {platform_id} was assessed for {year} already")
    await outbox.emit(session, PlatformAssessed(platform_id=platform_id, township_code=p.township_code,
                                                operator_uscc=p.operator_uscc, year=year, total=total, band=b,
                                                assessed_on=on))
    await _void_profiles(session)
    return _assessment_read(a, p)


async def history(session: AsyncSession, principal: Principal, platform_id: int) -> list[AssessmentRead]:
    require_role(principal, *READERS, action_zh="查看服务平台评估", action_en="read platform assessments")
    p = await require(session, principal, platform_id)
    return [_assessment_read(a, p) for a in await repository.assessments(session, [platform_id])]


def operation_target(year: int, settings: Settings) -> tuple[Decimal | None, int | None]:
    """PLAT-4: the target in force for `year` (the latest target year not after it, else the first)."""
    targets = settings.platform.operation_targets
    years = sorted(y for y in targets if y <= year)
    if years:
        return targets[years[-1]], years[-1]
    return None, None


def _share(part: int, whole: int) -> Decimal:
    return (Decimal(part) * HUNDRED / whole).quantize(Decimal("0.01")) if whole else Decimal("0.00")


def _operation_row(code: str, platforms: list[Platform], year: int, settings: Settings) -> OperationRow:
    running = sum(1 for p in platforms if p.physical_operation and
                  (p.operating_since is None or p.operating_since.year <= year))
    share = _share(running, len(platforms))
    target, target_year = operation_target(year, settings)
    return OperationRow(division_code=code, platforms=len(platforms), in_operation=running, share=share,
                        target=target, target_year=target_year,
                        met=None if target is None else share >= target)


async def in_operation(session: AsyncSession, prefix: str | None, year: int) -> list[Platform]:
    return [p for p in await repository.in_prefix(session, prefix)
            if p.physical_operation and (p.operating_since is None or p.operating_since.year <= year)]


async def operation_report(session: AsyncSession, principal: Principal, division: str | None, year: int | None, *,
                           clock: Clock, settings: Settings) -> OperationReport:
    """PLAT-4 per county: platforms in physical operation ÷ platforms (one per township/street)."""
    require_role(principal, *READERS, action_zh="查看服务平台实体化运作率", action_en="read platform operation")
    prefix = listing_prefix(principal, division)
    year = year or clock.today().year
    platforms = await repository.in_prefix(session, prefix)
    by_county: dict[str, list[Platform]] = defaultdict(list)
    for p in platforms:
        by_county[p.division_code].append(p)
    # AUTH-2: a county row only for a county within the caller's scope (not a township's platforms as its county's)
    rows = [_operation_row(c, ps, year, settings) for c, ps in sorted(by_county.items()) if c.startswith(prefix or "")]
    return OperationReport(year=year, division=prefix or "", rows=rows,
                           total=_operation_row(prefix or "*", platforms, year, settings))


async def for_township(session: AsyncSession, township_code: str | None) -> tuple[Platform, Assessment | None] | None:
    if not township_code:
        return None
    p = await repository.by_township(session, township_code)
    if p is None:
        return None
    return p, await _latest(session, p.platform_id)
