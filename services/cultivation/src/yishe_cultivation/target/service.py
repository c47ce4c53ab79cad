"""Target sets per division and year (the seeds' numbers as ready profiles from `profiles.json`), progress against
them as JSON and CSV, breakdown by division, trend by year, and the records behind every number."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import asdict
from datetime import date
from decimal import Decimal
from functools import lru_cache
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from yishe_kit.access import listing_prefix, require_jurisdiction, require_role
from yishe_kit.clock import Clock
from yishe_kit.db import flush_or_conflict
from yishe_kit.errors import InvalidInput, NotFound, Problem
from yishe_kit.principal import Principal

from ..config import Settings
from ..deps import READERS, WRITERS
from ..organisation import repository as organisation_repository
from .indicators import INDICATORS, Ctx, Indicator
from .models import TargetSet
from .schemas import (
    Breakdown,
    BreakdownRow,
    IndicatorRead,
    IndicatorRecord,
    IndicatorRecords,
    ProfileRead,
    Progress,
    ProgressRow,
    TargetSetCreate,
    TargetSetRead,
    TargetSetUpdate,
    Trend,
    TrendPoint,
)

PROFILES_FILE = Path(__file__).with_name("profiles.json")
HUNDRED = Decimal(100)


@lru_cache
def profiles() -> dict[str, ProfileRead]:
    raw = json.loads(PROFILES_FILE.read_text(encoding="utf-8"))
    return {code: ProfileRead(code=code, label=p["label"], division_code=p["division_code"], sources=p["sources"],
                              years={int(y): {k: (v[0], Decimal(str(v[1]))) for k, v in t.items()}
                                     for y, t in p["years"].items()})
            for code, p in raw.items()}


def indicators() -> list[IndicatorRead]:
    return [i.read() for i in INDICATORS.values()]


def met(value: Decimal | None, comparator: str | None, target: Decimal | None) -> bool | None:
    if value is None or comparator is None or target is None:
        return None
    return {">": value > target, ">=": value >= target, "<": value < target, "<=": value <= target}[comparator]


def progress_of(value: Decimal | None, comparator: str | None, target: Decimal | None) -> Decimal | None:
    if value is None or target is None or comparator not in (">", ">="):
        return None
    if not target:
        return HUNDRED
    return min(value * HUNDRED / target, HUNDRED).quantize(Decimal("0.01"))


def _set_read(s: TargetSet) -> TargetSetRead:
    return TargetSetRead(set_id=s.set_id, division_code=s.division_code, year=s.year, label=s.label,
                         profile=s.profile, targets={k: (v[0], Decimal(str(v[1]))) for k, v in s.targets.items()},
                         purchase_spending=s.purchase_spending, created_by=s.created_by)


def _check_targets(targets: dict) -> None:
    unknown = [k for k in targets if k not in INDICATORS]
    if unknown:
        raise InvalidInput("unknown_indicator", f"unknown indicators {unknown}", [Problem(
            f"targets.{k}", "TARGET-1", f"指标{k}不存在（见 GET /v1/targets/indicators）", f"no indicator {k}")
            for k in unknown])


def _stored(targets: dict) -> dict:
    return {k: [c, str(v)] for k, (c, v) in targets.items()}


async def create_set(session: AsyncSession, principal: Principal, body: TargetSetCreate, *,
                     clock: Clock) -> TargetSetRead:
    require_role(principal, *WRITERS, action_zh="设定发展目标", action_en="set targets")
    require_jurisdiction(principal, body.division_code)
    targets: dict = {}
    label = body.label
    if body.profile:
        profile = profiles().get(body.profile)
        if profile is None:
            raise InvalidInput("unknown_profile", f"no profile {body.profile}", [Problem(
                "profile", "TARGET-1", f"目标方案{body.profile}不存在（{'、'.join(profiles())}）",
                f"no profile {body.profile}")])
        targets = dict(profile.years.get(body.year, {}))
        if not targets:
            raise InvalidInput("profile_has_no_year", f"{body.profile} sets nothing for {body.year}", [Problem(
                "year", "TARGET-1",
                f"目标方案“{profile.label}”没有{body.year}年度的目标（有：{sorted(profile.years)}）",
                f"profile {body.profile} has no targets for {body.year}")])
        label = label or f"{profile.label}（{body.year}年度）"
    _check_targets(body.targets)
    targets.update(body.targets)
    s = TargetSet(division_code=body.division_code, year=body.year, label=label or f"{body.division_code} {body.year}",
                  profile=body.profile, targets=_stored(targets), purchase_spending=body.purchase_spending,
                  created_by=principal.actor, created_at=clock.now())
    session.add(s)
    await flush_or_conflict(session, "target_set_exists", f"{body.division_code} has targets for {body.year}", [
        Problem("year", "TARGET-1", f"区划{body.division_code}已有{body.year}年度目标（请修改该目标集）",
                f"{body.division_code} already has a target set for {body.year}")])
    return _set_read(s)


async def _require_set(session: AsyncSession, principal: Principal, set_id: int) -> TargetSet:
    s = await session.get(TargetSet, set_id)
    if s is None:
        raise NotFound("target_set_not_found", f"no target set {set_id}")
    require_jurisdiction(principal, s.division_code)
    return s


async def update_set(session: AsyncSession, principal: Principal, set_id: int, body: TargetSetUpdate) -> TargetSetRead:
    require_role(principal, *WRITERS, action_zh="修改发展目标", action_en="change targets")
    s = await _require_set(session, principal, set_id)
    if body.targets is not None:
        _check_targets(body.targets)
        s.targets = _stored(body.targets)
    if body.label is not None:
        s.label = body.label
    if "purchase_spending" in body.model_fields_set:
        s.purchase_spending = body.purchase_spending
    await session.flush()
    return _set_read(s)


async def list_sets(session: AsyncSession, principal: Principal, division: str | None,
                    year: int | None) -> list[TargetSetRead]:
    require_role(principal, *READERS, action_zh="查看发展目标", action_en="read targets")
    prefix = listing_prefix(principal, division)
    stmt = select(TargetSet).order_by(TargetSet.division_code, TargetSet.year)
    rows = [s for s in await session.scalars(stmt) if (not prefix or s.division_code.startswith(prefix)
                                                       or (division is None and prefix.startswith(s.division_code)))
            and (year is None or s.year == year)]
    return [_set_read(s) for s in rows]


async def _set_for(session: AsyncSession, division: str, year: int) -> TargetSet | None:
    return await session.scalar(select(TargetSet).where(TargetSet.division_code == division, TargetSet.year == year))


def _day(year: int, today: date) -> date:
    return min(date(year, 12, 31), today)


def _ctx(session: AsyncSession, settings: Settings, prefix: str | None, year: int, today: date,
         spending: Decimal | None) -> Ctx:
    return Ctx(session=session, settings=settings, prefix=prefix or None, year=year, day=_day(year, today),
               today=today, purchase_spending=spending)


def _indicator(code: str) -> Indicator:
    found = INDICATORS.get(code)
    if found is None:
        raise NotFound("indicator_not_found", f"no indicator {code}")
    return found


def _scope(principal: Principal, division: str | None) -> str:
    require_role(principal, *READERS, action_zh="查看发展目标进度", action_en="read target progress")
    return listing_prefix(principal, division) or ""


async def progress(session: AsyncSession, principal: Principal, division: str | None, year: int | None, *,
                   clock: Clock, settings: Settings) -> Progress:
    prefix = _scope(principal, division)
    today = clock.today()
    year = year or today.year
    tset = await _set_for(session, prefix, year) if prefix else None
    targets = _set_read(tset).targets if tset else {}
    ctx = _ctx(session, settings, prefix, year, today, tset.purchase_spending if tset else None)
    rows = []
    for ind in INDICATORS.values():
        result = await ind.compute(ctx)
        comparator, target = targets.get(ind.code, (None, None))
        rows.append(ProgressRow(
            indicator=ind.code, label=ind.label, unit=ind.unit, value=result.value, numerator=result.numerator,
            denominator=result.denominator, comparator=comparator, target=target,
            met=met(result.value, comparator, target), progress=progress_of(result.value, comparator, target),
            source=ind.source, status=ind.status, note=result.note or ind.note,
            records=f"/v1/targets/indicators/{ind.code}/records?division={prefix}&year={year}"))
    return Progress(division=prefix, year=year, as_of=_day(year, today), set_id=tset.set_id if tset else None,
                    set_label=tset.label if tset else None, rows=rows)


CSV_HEADERS = ["指标代码", "指标", "区划", "年度", "当前值", "单位", "比较", "目标值", "是否达标", "完成进度（%）",
               "分子", "分母", "数据来源", "状态", "说明"]


def progress_csv(p: Progress) -> bytes:
    out = io.StringIO()
    w = csv.writer(out)
    w.writerow(CSV_HEADERS)
    for r in p.rows:
        w.writerow([r.indicator, r.label, p.division or "全部", p.year, "" if r.value is None else r.value, r.unit,
                    r.comparator or "", "" if r.target is None else r.target,
                    {True: "是", False: "否", None: ""}[r.met], "" if r.progress is None else r.progress,
                    "" if r.numerator is None else r.numerator, "" if r.denominator is None else r.denominator,
                    r.source, "待接入" if r.status == "pending" else "实时", r.note or ""])
    return "\ufeff".encode() + out.getvalue().encode("utf-8")


async def records(session: AsyncSession, principal: Principal, code: str, division: str | None, year: int | None,
                  counted: bool | None, *, clock: Clock, settings: Settings) -> IndicatorRecords:
    """The drill-down: every record behind the value (`counted` = in the numerator or the count)."""
    ind = _indicator(code)
    prefix = _scope(principal, division)
    today = clock.today()
    year = year or today.year
    tset = await _set_for(session, prefix, year) if prefix else None
    result = await ind.compute(_ctx(session, settings, prefix, year, today, tset.purchase_spending if tset else None))
    rows = [IndicatorRecord(**asdict(r)) for r in result.records if counted is None or r.counted == counted]
    return IndicatorRecords(indicator=code, label=ind.label, division=prefix, year=year, value=result.value,
                            total=len(result.records), counted=sum(1 for r in result.records if r.counted),
                            records=rows)


RECORD_HEADERS = ["类型", "统一社会信用代码", "备案编号", "名称", "区划", "乡镇（街道）", "计入", "说明", "金额（元）"]
KIND_LABELS = {"organisation": "社会组织", "filing": "备案社区社会组织", "platform": "服务平台",
               "contract": "购买服务合同", "base": "孵化基地"}


def records_csv(r: IndicatorRecords) -> bytes:
    out = io.StringIO()
    w = csv.writer(out)
    w.writerow(RECORD_HEADERS)
    for x in r.records:
        w.writerow([KIND_LABELS.get(x.kind, x.kind), x.uscc or "", x.filing_no or "", x.name, x.division_code,
                    x.township_code or "", "是" if x.counted else "否", x.detail or "",
                    "" if x.amount is None else x.amount])
    return "\ufeff".encode() + out.getvalue().encode("utf-8")


async def _children(session: AsyncSession, prefix: str) -> list[str]:
    """The divisions one level down: counties (6 digits) under a city or province, townships (9) under a county."""
    if len(prefix) >= 6:
        codes = {o.township_code for o in await organisation_repository.organisations(session, prefix)
                 if o.township_code}
        codes |= {f.township_code for f in await organisation_repository.filings(session, prefix)}
        from ..platform import repository as platform_repository
        codes |= {p.township_code for p in await platform_repository.in_prefix(session, prefix)}
        return sorted(c for c in codes if c.startswith(prefix) and len(c) > len(prefix))
    return sorted({o.division_code for o in await organisation_repository.organisations(session, prefix or None)})


async def breakdown(session: AsyncSession, principal: Principal, code: str, division: str | None, year: int | None,
                    *, clock: Clock, settings: Settings) -> Breakdown:
    ind = _indicator(code)
    prefix = _scope(principal, division)
    today = clock.today()
    year = year or today.year
    rows = []
    for child in await _children(session, prefix):
        tset = await _set_for(session, child, year)
        result = await ind.compute(_ctx(session, settings, child, year, today,
                                        tset.purchase_spending if tset else None))
        rows.append(BreakdownRow(division_code=child, value=result.value, numerator=result.numerator,
                                 denominator=result.denominator))
    return Breakdown(indicator=code, label=ind.label, unit=ind.unit, year=year, division=prefix, rows=rows)


async def trend(session: AsyncSession, principal: Principal, code: str, division: str | None, start: int | None,
                end: int | None, *, clock: Clock, settings: Settings) -> Trend:
    ind = _indicator(code)
    prefix = _scope(principal, division)
    today = clock.today()
    end = min(end or today.year, today.year)
    start = start or end - 4
    if end - start > 20 or start > end:
        raise InvalidInput("invalid_years", "from..to must be a range of at most 20 years", [Problem(
            "from", "TARGET-1", "年度范围无效（最多20年）", "the year range is invalid (at most 20 years)")])
    points = []
    for year in range(start, end + 1):
        tset = await _set_for(session, prefix, year) if prefix else None
        result = await ind.compute(_ctx(session, settings, prefix, year, today,
                                        tset.purchase_spending if tset else None))
        comparator, target = (_set_read(tset).targets.get(code, (None, None)) if tset else (None, None))
        points.append(TrendPoint(year=year, value=result.value, target=target, comparator=comparator,
                                 met=met(result.value, comparator, target)))
    return Trend(indicator=code, label=ind.label, unit=ind.unit, division=prefix, points=points)
