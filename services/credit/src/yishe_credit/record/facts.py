"""What registry and procurement tell credit: annual reports (AR-1, AR-4, CR-6.1), audit findings (CR-4.3) and
其他信息 (CR-4.5)."""

from __future__ import annotations

from datetime import timedelta

from yishe_contracts.events.procurement import ContractAwarded, PerformanceEvaluated
from yishe_contracts.events.registry import (
    AnnualReportOverdue,
    AnnualReportReviewed,
    AnnualReportSubmitted,
    AuditFindingRecorded,
)
from yishe_kit.clock import business_date

from ..context import Ctx
from ..listing import service as listing_service
from ..profile import service as profile_service
from . import service


async def report_overdue(ctx: Ctx, event: AnnualReportOverdue) -> None:
    """CR-6.1: an overdue annual report is recorded and becomes a trigger the daily job lists (after any notice)."""
    profile = await profile_service.for_event(ctx, event.uscc)
    row = await service.annual_report(ctx.session, event.uscc, event.year)
    row.deadline = event.deadline
    if row.submitted_on is not None:  # filed meanwhile: the overdue notice arrived late
        return
    row.overdue_on = row.overdue_on or event.as_of
    await service.add(ctx, event.uscc, category="annual_report", kind="annual_report_overdue",
                      title=f"{event.year}年度工作报告逾期未报送（截止{event.deadline}）", formed_on=event.as_of,
                      source=event.subject_name, source_ref=f"annual_report:{event.year}:overdue",
                      details={"year": event.year, "deadline": str(event.deadline), "rule": event.rule})
    await listing_service.raise_trigger(
        ctx, event.uscc, "CR-6.1", ref=f"annual_report:{event.year}",
        evidence=[f"{event.year}年度工作报告截止{event.deadline}，至{event.as_of}未报送（{event.rule}，"
                  f"{event.subject_name}）"],
        due_on=event.as_of + timedelta(days=ctx.settings.listing.notice_days),
        dedupe_key=f"CR-6.1:{event.uscc}:{event.year}", source=event.subject_name)
    await profile_service.recolour(ctx, [profile.uscc])


async def report_submitted(ctx: Ctx, event: AnnualReportSubmitted) -> None:
    """Filing performs the CR-6.1 obligation: no listing if still pending, else an application awaits staff."""
    profile = await profile_service.for_event(ctx, event.uscc)
    on = business_date(event.submitted_at)
    row = await service.annual_report(ctx.session, event.uscc, event.year)
    row.deadline, row.submitted_on, row.late = event.deadline, on, event.late
    await service.add(ctx, event.uscc, category="annual_report", kind="annual_report_submitted",
                      title=f"报送{event.year}年度工作报告" + ("（逾期）" if event.late else ""), formed_on=on,
                      source=event.subject_name, source_ref=f"annual_report:{event.year}:submitted",
                      details={"year": event.year, "late": event.late,
                               "party_building_section": event.party_building_section})
    service.touch_activity(profile, on)
    await listing_service.fulfil(ctx, event.uscc, f"annual_report:{event.year}", on,
                                 [f"已于{on}报送{event.year}年度工作报告（{event.subject_name}）"],
                                 apply_for_removal=True)
    await profile_service.recolour(ctx, [profile.uscc])


async def report_reviewed(ctx: Ctx, event: AnnualReportReviewed) -> None:
    """AR-4: the review result is an annual-report record; 基本合格 / 不合格 is a CODE-3 early warning."""
    profile = await profile_service.for_event(ctx, event.uscc)
    row = await service.annual_report(ctx.session, event.uscc, event.year)
    row.result, row.reviewed_on = event.result.value, event.reviewed_on
    await service.add(ctx, event.uscc, category="annual_report", kind="annual_report_reviewed",
                      title=f"{event.year}年度检查（年报审查）结论：{event.result.value}", formed_on=event.reviewed_on,
                      source=event.subject_name, source_ref=f"annual_report:{event.year}:reviewed",
                      details={"year": event.year, "result": event.result.value})
    await profile_service.recolour(ctx, [profile.uscc])


async def contract_awarded(ctx: Ctx, event: ContractAwarded) -> None:
    """CR-4.5 其他信息: a government-purchase project undertaken."""
    profile = await profile_service.for_event(ctx, event.uscc)
    await service.add(ctx, event.uscc, category="other", kind="contract_awarded",
                      title=f"承接政府购买服务项目：{event.title}（{event.purchaser}，{event.amount}元）",
                      formed_on=event.awarded_on, source=event.subject_name,
                      source_ref=f"contract:{event.contract_id}:awarded",
                      details={"ocid": event.ocid, "contract_id": event.contract_id, "amount": str(event.amount),
                               "purchaser": event.purchaser})
    service.touch_activity(profile, event.awarded_on)


async def performance_evaluated(ctx: Ctx, event: PerformanceEvaluated) -> None:
    """CR-4.5 其他信息: the performance evaluation of a purchased service."""
    profile = await profile_service.for_event(ctx, event.uscc)
    await service.add(ctx, event.uscc, category="other", kind="performance_evaluated",
                      title=f"政府购买服务绩效评价：{event.result}（{event.score}分，{event.evaluator}）",
                      formed_on=event.evaluated_on, source=event.subject_name,
                      source_ref=f"contract:{event.contract_id}:evaluated:{event.evaluated_on}",
                      details={"ocid": event.ocid, "contract_id": event.contract_id, "score": str(event.score),
                               "result": event.result})
    service.touch_activity(profile, event.evaluated_on)


AUDIT_OCCASIONS = {"inspection": "“双随机”抽查审计", "evaluation": "等级评估审计",
                   "legal_rep_change": "法定代表人离任审计", "deregistration": "注销清算审计"}
SEVERITY_ZH = {"moderate": "较重", "serious": "严重"}


async def audit_finding(ctx: Ctx, event: AuditFindingRecorded) -> None:
    """CR-4.3 行政检查信息: an adverse finding of an audit the registration authority commissioned (TPA-5), with
    its evidence, recorded once per finding."""
    profile = await profile_service.for_event(ctx, event.uscc)
    occasion = AUDIT_OCCASIONS.get(event.occasion.value, event.occasion.value)
    await service.add(ctx, event.uscc, category="inspection", kind="audit_finding",
                      title=f"{occasion}发现问题（{SEVERITY_ZH.get(event.severity, event.severity)}）：{event.summary}",
                      formed_on=event.reported_on, source=event.subject_name,
                      source_ref=f"audit:{event.engagement_id}:finding:{event.finding_id}",
                      details={"engagement_id": event.engagement_id, "finding_id": event.finding_id,
                               "occasion": event.occasion.value, "audit_firm": event.audit_firm,
                               "severity": event.severity, "summary": event.summary, "evidence": event.evidence,
                               "report_ref": event.report_ref, "rule": "TPA-5"})
    await profile_service.recolour(ctx, [profile.uscc])
