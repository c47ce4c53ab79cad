"""双随机一公开 [P]: random organisations (stratified by kind and division, seed recorded), random inspectors,
results into the credit record (CR-4.3), rectification deadlines that feed CR-6.3 through the daily job."""

from __future__ import annotations

import secrets
from datetime import date, timedelta

from sqlalchemy import select

from yishe_kit.access import require_jurisdiction, require_role
from yishe_kit.errors import Conflict, InvalidInput, NotFound, Problem

from ..context import Ctx
from ..listing import service as listing_service
from ..profile import service as profile_service
from ..record import service as record_service
from .models import Inspection, InspectionPlan, Inspector
from .sampling import Member, draw, pick_inspectors
from .schemas import InspectionRead, InspectorCreate, PlanCheck, PlanCreate, PlanRead, Rectified, ResultIn

NEEDS_RECTIFICATION = ("责令整改", "不合格")


async def add_inspector(ctx: Ctx, body: InspectorCreate) -> Inspector:
    require_role(ctx.principal, "staff", "internal")
    require_jurisdiction(ctx.principal, body.division_code)
    inspector = Inspector(name=body.name, unit=body.unit, division_code=body.division_code, active=True)
    ctx.session.add(inspector)
    await ctx.session.flush()
    return inspector


async def inspectors(ctx: Ctx) -> list[Inspector]:
    require_role(ctx.principal, "staff", "internal", "supervisor")
    return list(await ctx.session.scalars(select(Inspector).order_by(Inspector.inspector_id)))


async def create_plan(ctx: Ctx, body: PlanCreate) -> InspectionPlan:
    """Draw organisations and inspectors; the seed and the population are kept so the draw can be repeated."""
    require_role(ctx.principal, "staff", "internal")
    prefix = body.division_prefix
    own = ctx.principal.division_prefix if ctx.principal.role != "internal" else ""
    if own and not prefix.startswith(own):
        prefix = own
    rules = ctx.settings.inspection
    per_org = body.inspectors_per_org or rules.inspectors_per_org
    pool = [i for i in await ctx.session.scalars(select(Inspector).where(Inspector.active.is_(True)))
            if not own or i.division_code.startswith(own)]
    if len(pool) < per_org:
        raise Conflict("too_few_inspectors", f"{len(pool)} active inspectors, {per_org} needed per organisation", [
            Problem("inspectors_per_org", "P-INSPECTION", f"检查人员名录库中可用人员不足（{len(pool)}人）",
                    f"the inspector pool has only {len(pool)} active inspectors")])
    population = [Member(p.uscc, p.org_type, p.division_code)
                  for p in await profile_service.all_profiles(ctx.session, prefix)
                  if p.registration_status == "active" and (not body.org_types or p.org_type in body.org_types)]
    if not population:
        raise InvalidInput("empty_population", "no organisation matches the plan", [Problem(
            "division_prefix", "P-INSPECTION", "没有符合条件的社会组织可供抽取", "no organisation matches")])
    seed = body.seed or secrets.token_hex(8)
    ratio = body.ratio or rules.default_ratio
    chosen, strata = draw(population, seed, ratio, rules.stratum_division_digits)
    plan = InspectionPlan(
        name=body.name, year=body.year, seed=seed, ratio=ratio, division_prefix=prefix, org_types=body.org_types,
        inspectors_per_org=per_org, population=[[m.uscc, m.org_type, m.division_code] for m in population],
        strata=strata, created_on=ctx.today(), created_by=ctx.actor)
    ctx.session.add(plan)
    await ctx.session.flush()
    by_id = {i.inspector_id: i for i in pool}
    names = {p.uscc: p.org_name for p in await profile_service.all_profiles(ctx.session, prefix)}
    for member, stratum in chosen:
        ids = pick_inspectors(list(by_id), seed, member.uscc, per_org)
        ctx.session.add(Inspection(
            plan_id=plan.plan_id, uscc=member.uscc, org_name=names[member.uscc], stratum=stratum,
            inspectors=[{"inspector_id": i, "name": by_id[i].name, "unit": by_id[i].unit} for i in ids],
            status="planned"))
    await ctx.session.flush()
    return plan


async def plan_view(ctx: Ctx, plan_id: int) -> PlanRead:
    """一公开: the plan, its seed and strata, each sampled organisation and its result are public."""
    plan = await ctx.session.get(InspectionPlan, plan_id)
    if plan is None:
        raise NotFound("inspection_plan_not_found", f"no inspection plan {plan_id}")
    rows = await ctx.session.scalars(select(Inspection).where(Inspection.plan_id == plan_id)
                                     .order_by(Inspection.inspection_id))
    staff = ctx.is_staff()
    items = []
    for i in rows:
        read = InspectionRead.model_validate(i, from_attributes=True)
        if not staff:
            read.findings, read.record_id = None, None
        items.append(read)
    return PlanRead(plan_id=plan.plan_id, name=plan.name, year=plan.year, seed=plan.seed, ratio=plan.ratio,
                    division_prefix=plan.division_prefix, org_types=plan.org_types,
                    inspectors_per_org=plan.inspectors_per_org, population_size=len(plan.population),
                    strata=plan.strata, created_on=plan.created_on, inspections=items)


async def check_plan(ctx: Ctx, plan_id: int) -> PlanCheck:
    """Re-draw from the recorded seed and population; equal to what was drawn?"""
    plan = await ctx.session.get(InspectionPlan, plan_id)
    if plan is None:
        raise NotFound("inspection_plan_not_found", f"no inspection plan {plan_id}")
    chosen, _ = draw([Member(*m) for m in plan.population], plan.seed, plan.ratio,
                     ctx.settings.inspection.stratum_division_digits)
    drawn = sorted(m.uscc for m, _ in chosen)
    actual = sorted(await ctx.session.scalars(select(Inspection.uscc).where(Inspection.plan_id == plan_id)))
    return PlanCheck(plan_id=plan_id, reproduced=drawn == actual, sampled=drawn)


async def _inspection(ctx: Ctx, inspection_id: int) -> Inspection:
    require_role(ctx.principal, "staff", "internal")
    i = await ctx.session.get(Inspection, inspection_id)
    if i is None:
        raise NotFound("inspection_not_found", f"no inspection {inspection_id}")
    require_jurisdiction(ctx.principal, (await profile_service.require(ctx, i.uscc)).division_code)
    return i


async def record_result(ctx: Ctx, inspection_id: int, body: ResultIn) -> Inspection:
    """The result goes into the credit record (行政检查信息); a rectification order gets its deadline."""
    i = await _inspection(ctx, inspection_id)
    if i.status == "done":
        raise Conflict("inspection_done", f"inspection {inspection_id} already has a result")
    on = ctx.not_after_today(body.inspected_on, "inspected_on", "CR-4")
    due = None
    if body.result in NEEDS_RECTIFICATION:
        due = body.rectification_due or on + timedelta(days=ctx.settings.inspection.rectification_days)
        if due <= on:
            raise InvalidInput("rectification_due_invalid", "the deadline must follow the inspection", [Problem(
                "rectification_due", "CR-6.3", "整改期限须晚于检查日期", "the deadline must be after the inspection")])
    i.status, i.inspected_on, i.result, i.findings, i.rectification_due = "done", on, body.result, body.findings, due
    title = f"双随机抽查结论：{body.result}" + (f"，责令于{due}前完成整改" if due else "")
    record = await record_service.add(
        ctx, i.uscc, category="inspection", kind="random_inspection", title=title, formed_on=on,
        source=f"inspection:{i.plan_id}", source_ref=f"inspection:{i.inspection_id}",
        details={"plan_id": i.plan_id, "findings": body.findings, "inspectors": i.inspectors,
                 "rectification_due": str(due) if due else None})
    i.record_id = record.record_id
    await profile_service.recolour(ctx, [i.uscc])
    return i


async def record_rectified(ctx: Ctx, inspection_id: int, body: Rectified) -> Inspection:
    """Rectification done: before the deadline nothing is listed; after a CR-6.3 listing it may be removed."""
    i = await _inspection(ctx, inspection_id)
    if i.rectification_due is None or i.rectified_on is not None:
        raise Conflict("no_rectification_open", f"inspection {inspection_id} has no open rectification")
    on = ctx.not_after_today(body.rectified_on, "rectified_on", "CR-6.3")
    evidence = listing_service.require_evidence(body.evidence)
    i.rectified_on = on
    await listing_service.fulfil(ctx, i.uscc, f"inspection:{i.inspection_id}", on,
                                 [f"{on} 完成整改：" + "；".join(evidence)], apply_for_removal=True)
    await profile_service.recolour(ctx, [i.uscc])
    return i


async def missed_deadlines(ctx: Ctx, as_of: date) -> list[dict]:
    """Daily job: a rectification deadline passed without rectification → CR-6.3 trigger, due the next day."""
    changes = []
    rows = await ctx.session.scalars(select(Inspection).where(
        Inspection.rectification_due < as_of, Inspection.rectified_on.is_(None)))
    for i in rows:
        key = f"CR-6.3:inspection:{i.inspection_id}"
        trigger = await listing_service.raise_trigger(
            ctx, i.uscc, "CR-6.3", ref=f"inspection:{i.inspection_id}",
            evidence=[f"双随机抽查（计划{i.plan_id}）{i.inspected_on} 责令整改，"
                      f"期限{i.rectification_due}，逾期未完成整改"],
            due_on=i.rectification_due + timedelta(days=1), dedupe_key=key, source=f"inspection:{i.plan_id}")
        if trigger.status == "pending":
            changes.append({"uscc": i.uscc, "what": "rectification_overdue", "rule": "CR-6.3",
                            "detail": f"检查第{i.inspection_id}号整改期限{i.rectification_due}已过", "entry_id": None})
    return changes


async def overdue_counts(session, usccs: list[str], as_of: date) -> dict[str, int]:
    out: dict[str, int] = {}
    for u in await session.scalars(select(Inspection.uscc).where(
            Inspection.uscc.in_(usccs), Inspection.rectification_due < as_of, Inspection.rectified_on.is_(None))):
        out[u] = out.get(u, 0) + 1
    return out
