"""Audit rules: the four occasions (TPA-1), the steps that wait for a report or a documented exemption
(TPA-2 change of legal representative, TPA-3 deregistration), fees and dates (TPA-4), adverse findings to
credit (TPA-5), the authority's budget per year and division (TPA-6), one report per engagement (TPA-7)."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from yishe_contracts.events.registry import AuditFindingRecorded, AuditOccasion
from yishe_kit.access import listing_prefix, require_org_or_roles, require_role
from yishe_kit.errors import Problem
from yishe_kit.outbox import Outbox
from yishe_kit.principal import Principal

from ..config import RulesSettings
from ..errors import Refused
from ..organisation import service as organisation_service
from ..organisation.models import Organisation
from . import repository
from .exceptions import AlreadyReported, AuditRequired, EngagementNotFound
from .models import AuditEngagement, AuditFinding, PendingChange
from .schemas import EngagementCreate, EngagementRead, ExemptionCreate, FeeReport, FeeRow, FindingRead, ReportFile

OCCASIONS = {AuditOccasion.INSPECTION.value: "“双随机”抽查", AuditOccasion.EVALUATION.value: "等级评估",
             AuditOccasion.LEGAL_REP_CHANGE.value: "法定代表人变更（离任审计）",
             AuditOccasion.DEREGISTRATION.value: "注销登记（清算审计）"}
SEVERITIES = {"note": "提示", "moderate": "较重", "serious": "严重"}
SEVERITY_CHOICES = "、".join(f"{k}（{v}）" for k, v in SEVERITIES.items())
ADVERSE = frozenset({"moderate", "serious"})
FEE_HEADERS = ("年度", "行政区划代码", "审计委托数", "审计费用合计（元）")


def occasion_problems(occasion: str) -> list[Problem]:
    """TPA-1: only the four occasions seed 003 names."""
    if occasion in OCCASIONS:
        return []
    return [Problem("occasion", "TPA-1", f"审计环节“{occasion}”不存在，应为：" + "、".join(OCCASIONS.values()),
                    f"unknown audit occasion {occasion!r}; one of {', '.join(OCCASIONS)}")]


def _not_future(value: date | None, field: str, today: date) -> list[Problem]:
    if value is not None and value > today:
        return [Problem(field, "TPA-4", "日期不能晚于今天", f"{field} cannot be in the future")]
    return []


async def commission(session: AsyncSession, uscc: str, data: EngagementCreate, principal: Principal,
                     today: date) -> AuditEngagement:
    """TPA-1/TPA-4: the authority commissions a firm for one occasion; fee ≥ 0, dates in order."""
    require_role(principal, "staff", action_zh="委托第三方审计", action_en="commission audits")
    org = await organisation_service.get_for_staff(session, uscc, principal)
    problems = occasion_problems(data.occasion)
    if data.fee < 0:
        problems.append(Problem("fee", "TPA-4", "审计费用不能为负数", "the audit fee cannot be negative"))
    on = data.commissioned_on or today
    problems += _not_future(data.commissioned_on, "commissioned_on", today)
    if data.due_on is not None and data.due_on < on:
        problems.append(Problem("due_on", "TPA-4", "约定完成日期不能早于委托日期",
                                "the due date cannot precede the commissioning date"))
    if problems:
        raise Refused(problems)
    row = AuditEngagement(uscc=uscc, division_code=org.division_code, occasion=data.occasion, status="commissioned",
                          audit_firm=data.audit_firm, fee=data.fee, budget_year=on.year, commissioned_on=on,
                          due_on=data.due_on, commissioned_by=principal.actor, created_at=datetime.now(UTC))
    session.add(row)
    await session.flush()
    await organisation_service.record_history(session, uscc, "audit_commissioned", principal, after={
        "engagement_id": row.engagement_id, "occasion": row.occasion, "audit_firm": row.audit_firm,
        "fee": str(row.fee)}, reason=f"委托第三方审计：{OCCASIONS[row.occasion]}")
    return row


async def exempt(session: AsyncSession, uscc: str, data: ExemptionCreate, principal: Principal, outbox: Outbox,
                 rules: RulesSettings, today: date) -> tuple[AuditEngagement, list[str]]:
    """TPA-2/TPA-3: a documented exemption (reason, who authorised it) stands in for the report."""
    require_role(principal, "staff", action_zh="登记审计豁免", action_en="record audit exemptions")
    org = await organisation_service.get_for_staff(session, uscc, principal)
    problems = occasion_problems(data.occasion)
    if problems:
        raise Refused(problems)
    row = AuditEngagement(uscc=uscc, division_code=org.division_code, occasion=data.occasion, status="exempted",
                          audit_firm=None, fee=Decimal("0"), budget_year=today.year, commissioned_on=today,
                          commissioned_by=principal.actor, exemption_reason=data.reason,
                          exemption_authorised_by=data.authorised_by, created_at=datetime.now(UTC))
    session.add(row)
    await session.flush()
    await organisation_service.record_history(session, uscc, "audit_exempted", principal, after={
        "engagement_id": row.engagement_id, "occasion": row.occasion, "authorised_by": data.authorised_by},
        reason=data.reason)
    return row, await _complete_waiting(session, uscc, row.occasion, outbox, rules, today)


async def _engagement(session: AsyncSession, uscc: str, engagement_id: int) -> AuditEngagement:
    row = await session.get(AuditEngagement, engagement_id)
    if row is None or row.uscc != uscc:
        raise EngagementNotFound(engagement_id)
    return row


async def file_report(session: AsyncSession, uscc: str, engagement_id: int, data: ReportFile, principal: Principal,
                      outbox: Outbox, rules: RulesSettings,
                      today: date) -> tuple[AuditEngagement, list[AuditFinding], list[str]]:
    """TPA-7: one report per commissioned engagement; TPA-5: each adverse finding goes to credit with its
    evidence; the step waiting for this occasion (TPA-2) completes."""
    require_role(principal, "staff", action_zh="登记审计报告", action_en="file audit reports")
    await organisation_service.get_for_staff(session, uscc, principal)
    row = await _engagement(session, uscc, engagement_id)
    if row.status != "commissioned":
        raise AlreadyReported(row.status)
    on = data.reported_on or today
    problems = _not_future(data.reported_on, "reported_on", today)
    if on < row.commissioned_on:
        problems.append(Problem("reported_on", "TPA-4", "审计报告日期不能早于委托日期",
                                "the report cannot precede the commissioning"))
    for i, f in enumerate(data.findings):
        if f.severity not in SEVERITIES:
            problems.append(Problem(f"findings[{i}].severity", "TPA-5",
                                    "审计发现的严重程度应为：" + SEVERITY_CHOICES,
                                    f"severity is one of {', '.join(SEVERITIES)}"))
    if problems:
        raise Refused(problems)
    row.status, row.report_ref, row.opinion, row.reported_on = "reported", data.report_ref, data.opinion, on
    row.filed_by = principal.actor
    found = [AuditFinding(engagement_id=row.engagement_id, uscc=uscc, severity=f.severity, summary=f.summary,
                          evidence=list(f.evidence)) for f in data.findings]
    session.add_all(found)
    await session.flush()
    await outbox.emit_many(session, [AuditFindingRecorded(
        uscc=uscc, engagement_id=row.engagement_id, finding_id=f.finding_id, occasion=AuditOccasion(row.occasion),
        audit_firm=row.audit_firm or "", severity=f.severity, summary=f.summary, evidence=f.evidence,
        report_ref=row.report_ref, reported_on=on) for f in found if f.severity in ADVERSE])
    await organisation_service.record_history(session, uscc, "audit_reported", principal, after={
        "engagement_id": row.engagement_id, "report_ref": row.report_ref,
        "adverse_findings": sum(f.severity in ADVERSE for f in found)}, reason=f"审计报告：{OCCASIONS[row.occasion]}")
    return row, found, await _complete_waiting(session, uscc, row.occasion, outbox, rules, today)


async def take(session: AsyncSession, uscc: str, occasion: str, step: str) -> AuditEngagement | None:
    """The filed report or exemption that lets `step` go ahead (marked used: one serves one step), or None."""
    row = await repository.unused(session, uscc, occasion)
    if row is not None:
        row.used_for = step
    return row


async def require_for_deregistration(session: AsyncSession, org: Organisation) -> AuditEngagement:
    """TPA-3: no deregistration without the 清算审计 report or a documented exemption."""
    row = await take(session, org.uscc, AuditOccasion.DEREGISTRATION.value, "deregistration")
    if row is None:
        raise AuditRequired("TPA-3", "注销登记", "deregistration")
    return row


async def park_change(session: AsyncSession, uscc: str, request: dict[str, Any], principal: Principal,
                      today: date) -> PendingChange:
    """TPA-2: a change of legal representative waits for the outgoing representative's 离任审计."""
    row = PendingChange(uscc=uscc, occasion=AuditOccasion.LEGAL_REP_CHANGE.value, request=request, status="waiting",
                        requested_by=principal.actor, requested_role=principal.role, requested_on=today)
    session.add(row)
    await session.flush()
    await organisation_service.record_history(session, uscc, "change_awaiting_audit", principal,
                                              after={"pending_id": row.pending_id},
                                              reason="法定代表人变更待离任审计（TPA-2）")
    return row


async def change_waiting(session: AsyncSession, uscc: str) -> bool:
    return bool(await repository.waiting(session, uscc, AuditOccasion.LEGAL_REP_CHANGE.value))


async def _complete_waiting(session: AsyncSession, uscc: str, occasion: str, outbox: Outbox, rules: RulesSettings,
                            today: date) -> list[str]:
    """Replay the changes that waited for this occasion's audit, as their requester, on today's rules."""
    from ..change import service as change_service  # the change step calls back into this domain (TPA-2)

    done = []
    for pending in await repository.waiting(session, uscc, occasion):
        outcome = await change_service.complete_pending(session, pending, outbox, rules, today)
        done.append(f"pending_change:{pending.pending_id}:{outcome}")
    return done


def to_read(row: AuditEngagement, findings: list[AuditFinding], completed: list[str] | None = None) -> EngagementRead:
    read = EngagementRead.model_validate(row)
    read.findings = [FindingRead(finding_id=f.finding_id, severity=f.severity, adverse=f.severity in ADVERSE,
                                 summary=f.summary, evidence=f.evidence) for f in findings]
    read.completed = completed or []
    return read


async def listing(session: AsyncSession, uscc: str, principal: Principal) -> list[EngagementRead]:
    """The organisation's audits: staff in jurisdiction and the organisation itself."""
    require_org_or_roles(principal, uscc, "staff", "internal", action_zh="查看审计记录", action_en="see audits")
    await organisation_service.get_for_staff(session, uscc, principal)
    rows = await repository.engagements(session, uscc)
    by_id: dict[int, list[AuditFinding]] = {}
    for f in await repository.findings(session, [r.engagement_id for r in rows]):
        by_id.setdefault(f.engagement_id, []).append(f)
    return [to_read(r, by_id.get(r.engagement_id, [])) for r in rows]


async def fees(session: AsyncSession, principal: Principal, year: int | None, division: str | None) -> FeeReport:
    """TPA-6: what the authority pays, per budget year and division, within the caller's jurisdiction."""
    require_role(principal, "staff", "internal", action_zh="查看审计费用", action_en="see audit fees")
    prefix = listing_prefix(principal, division)
    rows = [FeeRow(year=y, division_code=d, engagements=n, fee_total=Decimal(t).quantize(Decimal("0.01")))
            for y, d, n, t in await repository.fee_rows(session, year, prefix)]
    return FeeReport(year=year, division=prefix, rows=rows, total=sum((r.fee_total for r in rows), Decimal("0.00")))


def fees_csv(report: FeeReport) -> bytes:
    """The budget table as CSV with a BOM and Chinese headers (opens in Excel)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(FEE_HEADERS)
    for r in report.rows:
        writer.writerow((r.year, r.division_code, r.engagements, f"{r.fee_total:.2f}"))
    writer.writerow(("合计", report.division or "", sum(r.engagements for r in report.rows), f"{report.total:.2f}"))
    return "\ufeff".encode() + out.getvalue().encode("utf-8")
