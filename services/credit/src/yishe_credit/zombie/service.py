"""僵尸型 [P] (CR-16 Xuecheng, CR-19): no annual report for two consecutive years, unreachable (CR-6.6 / unsigned
letters), no activity for 24 months → candidate; the bureau's decision emits credit.zombie.confirmed.v1."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from yishe_contracts.events.credit import ZombieConfirmed
from yishe_contracts.events.cultivation import InactiveListed
from yishe_kit.access import jurisdiction_prefix, require_jurisdiction, require_role
from yishe_kit.errors import Conflict, Problem

from ..context import Ctx
from ..dates import add_months
from ..listing import repository as listing_repo
from ..profile import service as profile_service
from ..record.models import AnnualReport
from .models import CommunityInactivity, ZombieDecision
from .schemas import Candidate, DecisionIn


def _longest_run(years: set[int]) -> list[int]:
    best: list[int] = []
    for y in sorted(years):
        run = [y]
        while run[-1] + 1 in years:
            run.append(run[-1] + 1)
        best = run if len(run) > len(best) else best
    return best


async def on_inactive_listed(session: AsyncSession, event: InactiveListed) -> None:
    """Cultivation's inactive list (PLAT-5): kept once per organisation and year; filed organisations (no USCC) have
    no credit profile and are not kept."""
    if event.uscc is None:
        return
    found = await session.scalar(select(CommunityInactivity).where(CommunityInactivity.uscc == event.uscc,
                                                                    CommunityInactivity.year == event.year))
    if found is None:
        session.add(CommunityInactivity(uscc=event.uscc, year=event.year, listed_on=event.listed_on,
                                        last_activity_on=event.last_activity_on))
        await session.flush()


def _listed_run(years: set[int], as_of: date, needed: int) -> list[int]:
    """The closed years before `as_of` the organisation was listed inactive, when the last `needed` are all listed."""
    run = [y for y in range(as_of.year - needed, as_of.year) if y in years]
    return run if needed > 0 and len(run) == needed else []


async def candidates(ctx: Ctx, as_of: date, usccs: list[str] | None = None) -> list[Candidate]:
    """Every active organisation with at least `min_signals` of the three signals on `as_of`, with evidence."""
    from ..mailing.models import Mailing

    rules = ctx.settings.zombie
    profiles = [p for p in await profile_service.all_profiles(ctx.session, jurisdiction_prefix(ctx.principal))
                if p.registration_status == "active" and (usccs is None or p.uscc in usccs)]
    ids = [p.uscc for p in profiles]
    missed: dict[str, set[int]] = {}
    for r in await ctx.session.scalars(select(AnnualReport).where(
            AnnualReport.uscc.in_(ids), AnnualReport.overdue_on.is_not(None), AnnualReport.submitted_on.is_(None),
            AnnualReport.overdue_on <= as_of)):
        missed.setdefault(r.uscc, set()).add(r.year)
    unreachable = {e.uscc: e for e in await listing_repo.active_entries_many(ctx.session, ids, "abnormal")
                   if e.trigger == "CR-6.6"}
    unsigned: dict[str, Mailing] = {}
    for m in await ctx.session.scalars(select(Mailing).where(Mailing.uscc.in_(ids), Mailing.outcome == "unsigned")
                                       .order_by(Mailing.sent_on)):
        unsigned[m.uscc] = m
    confirmed = set(await ctx.session.scalars(select(ZombieDecision.uscc).where(ZombieDecision.confirmed.is_(True))))
    inactive_years: dict[str, set[int]] = {}
    for row in await ctx.session.scalars(select(CommunityInactivity).where(CommunityInactivity.uscc.in_(ids))):
        inactive_years.setdefault(row.uscc, set()).add(row.year)
    listed_years_needed = rules.inactive_months // 12
    inactive_since = add_months(as_of, -rules.inactive_months)
    out = []
    for p in profiles:
        run = _longest_run(missed.get(p.uscc, set()))
        last = p.last_activity_on or p.registration_date
        listed = _listed_run(inactive_years.get(p.uscc, set()), as_of, listed_years_needed)
        signals = {"missed_reports": len(run) >= rules.missed_report_years,
                   "unreachable": p.uscc in unreachable or p.uscc in unsigned,
                   "inactive": (last is not None and last < inactive_since) or bool(listed)}
        if sum(signals.values()) < rules.min_signals or p.uscc in confirmed:
            continue
        evidence = []
        if signals["missed_reports"]:
            evidence.append(f"连续{len(run)}年未报送年度工作报告（{run[0]}–{run[-1]}年度）")
        if p.uscc in unreachable:
            e = unreachable[p.uscc]
            evidence.append(f"{e.listed_on} 因通过登记住所无法取得联系列入活动异常名录（第{e.entry_id}号）")
        elif p.uscc in unsigned:
            m = unsigned[p.uscc]
            evidence.append(f"专用信函 {m.tracking_number}（{m.sent_on}）无人签收")
        if signals["inactive"] and last is not None and last < inactive_since:
            evidence.append(f"自{last}起{rules.inactive_months}个月以上无活动记录")
        if listed:
            evidence.append(f"乡镇（街道）服务平台记录：{'、'.join(str(y) for y in listed)}年度全年无活动（PLAT-5）")
        out.append(Candidate(uscc=p.uscc, org_name=p.org_name, division_code=p.division_code, signals=signals,
                             evidence=evidence, last_activity_on=last))
    return out


async def decide(ctx: Ctx, body: DecisionIn) -> ZombieDecision:
    """The bureau's decision; confirming needs the organisation to be a candidate on the decision day."""
    require_role(ctx.principal, "staff", "internal")
    profile = await profile_service.require(ctx, body.uscc)
    require_jurisdiction(ctx.principal, profile.division_code)
    on = ctx.not_after_today(body.decided_on or ctx.today(), "decided_on", "CR-16")
    evidence = [e.strip() for e in body.evidence if e.strip()]
    if body.confirmed:
        if await ctx.session.scalar(select(ZombieDecision).where(ZombieDecision.uscc == body.uscc,
                                                                 ZombieDecision.confirmed.is_(True))):
            raise Conflict("zombie_already_confirmed", f"{body.uscc} was already confirmed")
        found = await candidates(ctx, on, [body.uscc])
        if not found:
            raise Conflict("not_a_zombie_candidate", f"{body.uscc} is not a zombie candidate on {on}", [Problem(
                "uscc", "CR-16", f"该组织在{on}不符合僵尸型社会组织认定条件（连续未报年报、无法联系、长期无活动）",
                "the organisation does not meet the zombie criteria (missed reports, unreachable, inactive)")])
        evidence = found[0].evidence + evidence
    decided_by = body.decided_by or ctx.settings.listing.decided_by
    decision = ZombieDecision(uscc=body.uscc, confirmed=body.confirmed, evidence=evidence, decided_on=on,
                              decided_by=decided_by, recorded_by=ctx.actor)
    ctx.session.add(decision)
    await ctx.session.flush()
    if body.confirmed:
        await ctx.outbox.emit(ctx.session, ZombieConfirmed(uscc=body.uscc, evidence=evidence, decided_on=on,
                                                           decided_by=decided_by))
    return decision
