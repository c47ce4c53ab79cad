"""Annual report rules: window and duty (AR-1..AR-3), the Party section (AR-6), first instance then the bureau
(AR-1, AR-5), results (AR-4), disclosure, and REG-4 spending ratios noted for the reviewer."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from yishe_contracts.events.common import OrgType
from yishe_contracts.events.registry import (
    AnnualReportDisclosed,
    AnnualReportFirstInstanceReviewed,
    AnnualReportResult,
    AnnualReportReviewed,
    AnnualReportSubmitted,
    PartyReminderOccasion,
)
from yishe_kit import clock
from yishe_kit.access import require_jurisdiction, require_org_or_roles, require_role
from yishe_kit.errors import Problem
from yishe_kit.outbox import Outbox
from yishe_kit.principal import Principal

from ..config import RulesSettings
from ..disclosure import service as disclosure_service
from ..disclosure.schemas import BySource
from ..errors import Missing, Refused, WrongState
from ..organisation import service as organisation_service
from ..organisation.models import Organisation
from ..signal import service as signal_service
from ..workforce import service as workforce_service
from . import windows
from .models import AnnualReport
from .schemas import FirstInstance, ReportRead, ReportSubmit, Review

DONE = ("submitted", "first_instance_passed", "reviewed")


def first_instance(org: Organisation) -> bool:
    return windows.has_first_instance(org.org_type, org.supervisory_unit, org.category, org.community_class)


def to_read(r: AnnualReport, principal: Principal, reminders: list[str] | None = None) -> ReportRead:
    """The public sees only disclosed reports, without reviewers' opinions."""
    read = ReportRead.model_validate(r).model_copy(update={"reminders": reminders or []})
    if principal.is_any("public", "purchaser", "party"):
        read = read.model_copy(update={"first_instance_opinion": None, "review_opinion": None, "findings": None})
    return read


def findings(org: Organisation, data: ReportSubmit) -> list[dict]:
    """REG-4 (Art 29) ratios for foundations, noted for the reviewer rather than refused."""
    f = data.finance
    out = []
    if org.org_type != OrgType.FOUNDATION.value:
        return out
    spent = f.public_benefit_spending
    if spent is not None and f.last_year_income:
        share = spent / f.last_year_income
        if share < Decimal("0.7"):
            out.append({"rule": "REG-4", "message_zh": f"公益支出占上年总收入{share:.0%}，公募基金会应不低于70%",
                        "message": f"public-benefit spending is {share:.0%} of last year's income (public: ≥ 70%)"})
    if spent is not None and f.last_year_fund_balance:
        share = spent / f.last_year_fund_balance
        if share < Decimal("0.08"):
            out.append({"rule": "REG-4", "message_zh": f"公益支出占上年基金余额{share:.1%}，非公募基金会应不低于8%",
                        "message": f"public-benefit spending is {share:.1%} of last year's fund balance (≥ 8%)"})
    if f.staff_admin_costs is not None and f.total_expenditure:
        share = f.staff_admin_costs / f.total_expenditure
        if share > Decimal("0.1"):
            out.append({"rule": "REG-4",
                        "message_zh": f"工作人员工资福利和行政办公支出占总支出{share:.0%}，应不超过10%",
                        "message": f"staff and admin costs are {share:.0%} of expenditure (≤ 10%)"})
    return out


async def _report(session: AsyncSession, uscc: str, year: int) -> AnnualReport | None:
    return await session.scalar(select(AnnualReport).where(AnnualReport.uscc == uscc, AnnualReport.year == year))


async def submit(session: AsyncSession, uscc: str, data: ReportSubmit, principal: Principal, outbox: Outbox,
                 rules: RulesSettings, today: date) -> tuple[AnnualReport, list[str]]:
    """年度工作报告: due (AR-1, AR-3), window open (AR-2), Party section present (AR-6); late ones are accepted
    and marked late."""
    require_org_or_roles(principal, uscc, "staff", action_zh="报送年度工作报告", action_en="submit annual reports")
    org = await organisation_service.get_for_staff(session, uscc, principal)
    organisation_service.require_status(org, "active", "suspended", action_zh="报送年报", action_en="report for")
    fi = first_instance(org)
    win = windows.window(org.org_type, fi, data.year, rules)
    problems: list[Problem] = []
    if today < win.opens:
        problems.append(Problem("year", "AR-2", f"{data.year}年度报告自{win.opens.isoformat()}起报送",
                                f"reports on {data.year} open on {win.opens.isoformat()}"))
    is_due, rule = windows.due(org.org_type, org.registration_date, data.year, rules)
    if not is_due:
        problems.append(Problem("year", rule, f"该组织无需报送{data.year}年度报告（当年登记或登记不满6个月）",
                                f"no report on {data.year} is due (registered in or late in that year)"))
    problems += _section_problems(data)
    if problems:
        raise Refused(problems)
    report = await _report(session, uscc, data.year)
    if report is not None and report.status in DONE:
        raise WrongState("year", "AR-1", f"{data.year}年度报告已报送",
                         f"the report on {data.year} was already submitted")
    if report is None:
        report = AnnualReport(uscc=uscc, year=data.year, deadline=win.deadline,
                              supervisor_deadline=win.supervisor_deadline)
        session.add(report)
    now = clock.now()  # the platform's instant: consumers date the filing by it (credit CR-10, party 六同步)
    f = data.finance
    report.status, report.submitted_at, report.submitted_by = "submitted", now, principal.actor
    report.late = today > win.deadline
    for k in ("total_income", "total_expenditure", "net_assets", "public_benefit_spending", "staff_admin_costs",
              "last_year_income", "last_year_fund_balance"):
        setattr(report, k, getattr(f, k))
    report.activities, report.party_building = data.activities, data.party_building.model_dump()
    report.findings = findings(org, data) or None
    report.income_by_source = f.income_by_source.model_dump(mode="json") if f.income_by_source else None
    report.spending_by_source = f.spending_by_source.model_dump(mode="json") if f.spending_by_source else None
    report.workforce = data.workforce.model_dump() if data.workforce else None
    report.first_instance_decision = report.first_instance_opinion = None
    await session.flush()
    await organisation_service.record_history(session, uscc, "annual_report_submitted", principal,
                                              after={"year": data.year, "late": report.late},
                                              reason=f"{data.year}年度工作报告")
    await outbox.emit(session, AnnualReportSubmitted(uscc=uscc, year=data.year, submitted_at=now, deadline=win.deadline,
                                                     late=report.late, party_building_section=True))
    if data.workforce is not None:
        await workforce_service.record(session, org, data.year, data.workforce, "annual_report", principal, outbox,
                                       today)
    reminders = await signal_service.deliver_reminders(session, uscc, principal,
                                                       PartyReminderOccasion.ANNUAL_REPORT, outbox, today)
    return report, reminders


def _section_problems(data: ReportSubmit) -> list[Problem]:
    """DISC-4 and WORK-1 on the optional sections: no negative amounts or head counts."""
    found = []
    for name in ("income_by_source", "spending_by_source"):
        values = getattr(data.finance, name)
        if values is not None:
            found += disclosure_service.amount_problems(values, f"finance.{name}")
    if data.workforce is not None:
        found += workforce_service.problems(data.workforce, "workforce.")
    return found


async def submitted_figures(session: AsyncSession, uscc: str, year: int) -> tuple[BySource, BySource] | None:
    """DISC-5: income and spending by source from a submitted report on `year`, if it gave them."""
    report = await _report(session, uscc, year)
    if report is None or report.status not in DONE or not report.income_by_source or not report.spending_by_source:
        return None
    return BySource.model_validate(report.income_by_source), BySource.model_validate(report.spending_by_source)


async def get(session: AsyncSession, uscc: str, year: int, principal: Principal) -> AnnualReport:
    await organisation_service.get(session, uscc)
    report = await _report(session, uscc, year)
    if report is None or (principal.is_any("public", "purchaser") and report.disclosed_on is None):
        raise Missing("annual_report", f"{uscc}/{year}", "年度工作报告")
    return report


async def listing(session: AsyncSession, uscc: str, principal: Principal) -> list[AnnualReport]:
    await organisation_service.get(session, uscc)
    stmt = select(AnnualReport).where(AnnualReport.uscc == uscc).order_by(AnnualReport.year)
    if principal.is_any("public", "purchaser"):
        stmt = stmt.where(AnnualReport.disclosed_on.is_not(None))
    return list((await session.scalars(stmt)).all())


async def record_first_instance(session: AsyncSession, uscc: str, year: int, body: FirstInstance,
                                principal: Principal, outbox: Outbox, today: date) -> AnnualReport:
    """AR-1 / REG-9: the supervisory unit's first-instance review comes before the bureau's; a unit limited to a
    division reviews only organisations under it (AUTH-2)."""
    require_role(principal, "supervisor", action_zh="进行年报初审", action_en="review reports in first instance")
    org = await organisation_service.get(session, uscc)
    require_jurisdiction(principal, org.division_code)
    report = await get(session, uscc, year, principal)
    if not first_instance(org):
        raise WrongState("year", "AR-2", "直接登记的社会组织年报无需业务主管单位初审",
                         "a directly registered organisation's report has no first instance")
    if report.status != "submitted":
        raise WrongState("status", "AR-1", "只有已报送、待初审的年报可以初审",
                         "only a submitted report awaits first instance")
    report.first_instance_decision, report.first_instance_opinion = body.decision.value, body.opinion
    report.first_instance_by, report.first_instance_at = principal.actor, datetime.now(UTC)
    report.status = "first_instance_passed" if body.decision == "passed" else "returned"
    await organisation_service.record_history(session, uscc, "annual_report_first_instance", principal,
                                              after={"year": year, "decision": body.decision.value},
                                              reason=body.opinion)
    await outbox.emit(session, AnnualReportFirstInstanceReviewed(
        uscc=uscc, year=year, decision=body.decision, decided_on=today,
        deadline=report.deadline))
    return report


async def review(session: AsyncSession, uscc: str, year: int, body: Review, principal: Principal, outbox: Outbox,
                 today: date) -> AnnualReport:
    """AR-4: the bureau's result 合格 / 基本合格 / 不合格 (AR-5: only after a passed first instance where due)."""
    require_role(principal, "staff", action_zh="审核年度工作报告", action_en="review annual reports")
    org = await organisation_service.get_for_staff(session, uscc, principal)
    report = await get(session, uscc, year, principal)
    ready = "first_instance_passed" if first_instance(org) else "submitted"
    if report.status != ready:
        raise WrongState("status", "AR-5", "年报尚未报送或尚未通过业务主管单位初审",
                         "the report is not submitted or has not passed the supervisory unit's first instance")
    report.status, report.result, report.review_opinion = "reviewed", body.result.value, body.opinion
    report.reviewed_by, report.reviewed_on = principal.actor, today
    await organisation_service.record_history(session, uscc, "annual_report_reviewed", principal,
                                              after={"year": year, "result": body.result.value}, reason=body.opinion)
    await outbox.emit(session, AnnualReportReviewed(uscc=uscc, year=year, result=AnnualReportResult(body.result),
                                                    reviewed_on=today))
    return report


async def disclose(session: AsyncSession, uscc: str, year: int, principal: Principal, outbox: Outbox,
                   today: date) -> AnnualReport:
    """AR-1 (基金会条例 Art 38): a reviewed report is published; the public can then read it."""
    require_org_or_roles(principal, uscc, "staff", action_zh="公开年度工作报告", action_en="disclose reports")
    await organisation_service.get_for_staff(session, uscc, principal)
    report = await get(session, uscc, year, principal)
    if report.status != "reviewed":
        raise WrongState("status", "AR-1", "年报审核后方可公开", "a report is disclosed after its review")
    if report.disclosed_on is None:
        report.disclosed_on = today
        await organisation_service.record_history(session, uscc, "annual_report_disclosed", principal,
                                                  after={"year": year}, reason="年报公开")
        await outbox.emit(session, AnnualReportDisclosed(uscc=uscc, year=year,
                                                         result=AnnualReportResult(report.result),
                                                         disclosed_on=today))
    return report
