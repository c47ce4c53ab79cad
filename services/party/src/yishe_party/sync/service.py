"""三同步 (PARTY-5) and 六同步 (PARTY-6): steps recorded from registry events or by hand, and the checklist."""

from __future__ import annotations

from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession

from yishe_contracts.events.registry import AnnualReportSubmitted, CharterApproved
from yishe_kit import clock
from yishe_kit.access import require_jurisdiction, require_role
from yishe_kit.errors import Forbidden, require_social_org_uscc
from yishe_kit.principal import Principal

from ..record import service as record_service
from ..roles import OVERSIGHT_READERS
from . import repository
from .models import SyncStep
from .schemas import ChecklistRead, SyncStepCreate, SyncStepRead

STEPS = {  # step → (label, rule, in 三同步)
    "registration": ("成立登记时同步采集党员信息", "PARTY-5", True),
    "charter": ("章程核准时同步审查党建内容", "PARTY-11", False),
    "annual_report": ("年检年报时同步检查报告党建工作", "PARTY-5", True),
    "spot_check": ("专项抽查时同步检查党建工作", "PARTY-6", False),
    "evaluation": ("等级评估时同步纳入党建指标", "PARTY-5", True),
    "training": ("教育培训时同步开展党建培训", "PARTY-6", False),
}


async def record_step(session: AsyncSession, *, uscc: str, step: str, period: str, done: bool, rule: str,
                      detail: str | None, occurred_on: date, by: str) -> SyncStep:
    """Record one synchronised step for a period; the same fact again updates the same row (idempotent)."""
    row = await repository.find(session, uscc, step, period)
    if row is None:
        row = SyncStep(uscc=uscc, step=step, period=period)
        session.add(row)
    row.status, row.rule, row.detail = ("done" if done else "missing"), rule, detail
    row.occurred_on, row.recorded_by, row.recorded_at = occurred_on, by, clock.now()
    await session.flush()
    return row


async def on_annual_report(session: AsyncSession, event: AnnualReportSubmitted) -> SyncStep:
    """三同步 (PARTY-5): at the annual report, check that the Party-building section is there."""
    detail = None if event.party_building_section else "年度工作报告缺少党建工作部分"
    return await record_step(session, uscc=event.uscc, step="annual_report", period=str(event.year),
                             done=event.party_building_section, rule="PARTY-5", detail=detail,
                             occurred_on=clock.business_date(event.submitted_at), by="registry")


async def on_charter_approved(session: AsyncSession, event: CharterApproved) -> SyncStep:
    """PARTY-11 / 六同步: at charter approval, check that the charter carries the Party-building clause."""
    detail = None if event.party_building_clause else "章程未载入党的建设和坚持党的全面领导的相关内容"
    return await record_step(session, uscc=event.uscc, step="charter", period=str(event.version),
                             done=event.party_building_clause, rule="PARTY-11", detail=detail,
                             occurred_on=event.approved_on, by="registry")


async def add_step(session: AsyncSession, uscc: str, data: SyncStepCreate, principal: Principal) -> SyncStepRead:
    """六同步 (PARTY-6): a spot check or training that did (or did not) include Party building."""
    require_role(principal, "party", "staff", action_zh="记录同步开展党建工作")
    record = await record_service.get_or_404(session, uscc)
    require_jurisdiction(principal, record.division_code)
    row = await record_step(session, uscc=uscc, step=data.step, period=data.period,
                            done=data.party_building_covered, rule="PARTY-6", detail=data.detail,
                            occurred_on=data.occurred_on, by=principal.actor)
    return _step_read(row)


def _step_read(row: SyncStep) -> SyncStepRead:
    label, _, three = STEPS[row.step]
    return SyncStepRead(step=row.step, label=label, status=row.status, period=row.period or None,
                        occurred_on=row.occurred_on, rule=row.rule, detail=row.detail, in_three_sync=three)


async def latest_steps(session: AsyncSession, uscc: str) -> dict[str, SyncStep]:
    """The latest row of each step (by the day it happened)."""
    latest: dict[str, SyncStep] = {}
    for row in await repository.of(session, uscc):
        latest[row.step] = row
    return latest


async def checklist(session: AsyncSession, uscc: str, principal: Principal) -> ChecklistRead:
    """Per organisation: which of the synchronised steps are done (三同步 / 六同步)."""
    record = await record_service.get_or_404(session, require_social_org_uscc(uscc))
    if principal.is_any("org"):
        if principal.actor != uscc:
            raise Forbidden("not_own_organisation", "an organisation sees only its own checklist; 只能查看本组织的清单")
    else:
        require_role(principal, *OVERSIGHT_READERS, action_zh="查看党建同步清单")
        require_jurisdiction(principal, record.division_code)
    latest = await latest_steps(session, uscc)
    registration = SyncStepRead(
        step="registration", label=STEPS["registration"][0], rule="PARTY-5", in_three_sync=True,
        status=record.capture_task_status, occurred_on=record.capture_done_on,
        detail=f"党员信息采集期限 {record.capture_task_due}")
    steps = [registration]
    for step, (label, rule, three) in STEPS.items():
        if step == "registration":
            continue
        row = latest.get(step)
        steps.append(_step_read(row) if row else SyncStepRead(step=step, label=label, status="pending", rule=rule,
                                                               in_three_sync=three))
    done = {s.step for s in steps if s.status == "done"}
    return ChecklistRead(
        uscc=uscc, three_sync_done={"registration", "annual_report", "evaluation"} <= done,
        six_sync_done=set(STEPS) <= done, formation_task_status=record_service.formation_task(record).status,
        steps=steps)
