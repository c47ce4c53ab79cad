"""PROC-4 undertaker conditions computed from the local read model on a given date, and PROC-9 preference."""

from __future__ import annotations

import calendar
from datetime import date

from ..config import EligibilitySettings, PreferenceSettings
from .models import Bidder, BidderAnnualReport, BidderViolation
from .schemas import Condition, Eligibility, Preference

GRADES = ("1A", "2A", "3A", "4A", "5A")


def _years_back(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def _exemption_cutoff(year: int, months: int) -> date:
    """AR-3: the last registration date that still owes the report on `year` (registered ≤ N months by 31 Dec)."""
    m = 12 - months
    if m < 1:
        return date(year - 1, 12, 31)
    return date(year, m, calendar.monthrange(year, m)[1])


def required_report_year(on: date, settings: EligibilitySettings) -> int:
    """AR-1: once the deadline of year Y has passed, the report on Y-1 is due; before it, the one on Y-2."""
    month, day = (int(p) for p in settings.annual_report_deadline.split("-"))
    return on.year - 1 if (on.month, on.day) > (month, day) else on.year - 2


def _annual_report(bidder: Bidder, reports: list[BidderAnnualReport], on: date,
                   settings: EligibilitySettings) -> Condition:
    """PROC-4 item 6 / AR-4: passed the annual inspection or filed the required annual report."""
    year = required_report_year(on, settings)
    base = {"code": "annual_report_passed", "rule": "PROC-4/AR-4"}
    if bidder.registration_date is None:
        return Condition(**base, met=False, message_zh="尚未收到登记信息，无法判断年度报告",
                         message="registration facts not received: the annual report cannot be checked",
                         evidence={"required_year": year})
    cutoff = _exemption_cutoff(year, settings.annual_report_exempt_months.get(bidder.org_type or "", 0))
    if bidder.registration_date > cutoff:
        return Condition(**base, met=True, message_zh=f"{year}年度无需报送年度报告（登记时间晚于{cutoff}）",
                         message=f"no {year} report due: registered after {cutoff} (AR-1, AR-3)",
                         evidence={"required_year": year, "registration_date": bidder.registration_date.isoformat(),
                                   "exempt": True})
    found = next((r for r in reports if r.year == year), None)
    evidence = {"required_year": year, "submitted": bool(found and found.submitted_at),
                "result": found.result if found else None,
                "reviewed_on": found.reviewed_on.isoformat() if found and found.reviewed_on else None}
    if found and found.result is not None:
        ok = found.result in settings.annual_report_passing_results
        return Condition(**base, met=ok, evidence=evidence,
                         message_zh=f"{year}年度报告检查结论：{found.result}",
                         message=f"{year} annual report reviewed: {found.result}")
    if found and found.submitted_at and settings.annual_report_submitted_suffices:
        return Condition(**base, met=True, evidence=evidence, message_zh=f"{year}年度报告已报送，正在审查",
                         message=f"{year} annual report filed, under review")
    return Condition(**base, met=False, evidence=evidence, message_zh=f"未报送{year}年度工作报告或未通过年检",
                     message=f"the {year} annual work report was not filed or not passed")


def _violations(violations: list[BidderViolation], on: date, years: int) -> Condition:
    """PROC-4 item 6: no major violation in the previous three years."""
    since = _years_back(on, years)
    recent = [v for v in violations if since <= v.occurred_on <= on]
    evidence = {"since": since.isoformat(), "violations": [
        {"kind": v.kind, "rule": v.rule, "reason": v.reason, "occurred_on": v.occurred_on.isoformat()}
        for v in recent]}
    if recent:
        listed = "；".join(f"{v.occurred_on} {v.reason}" for v in recent)
        return Condition(code="no_major_violation", rule="PROC-4", met=False, evidence=evidence,
                         message_zh=f"近{years}年内有重大违法记录：{listed}",
                         message=f"major violation(s) in the previous {years} years: {len(recent)}")
    return Condition(code="no_major_violation", rule="PROC-4", met=True, evidence=evidence,
                     message_zh=f"近{years}年内无重大违法记录", message=f"no major violation in {years} years")


def preference(bidder: Bidder | None, on: date, settings: PreferenceSettings) -> Preference:
    """PROC-9: a valid 3A+ grade, or a place in the recommended catalogue (推荐目录)."""
    grade = bidder.grade if bidder else None
    valid = bool(grade and (bidder.grade_valid_from is None or bidder.grade_valid_from <= on)
                 and (bidder.grade_valid_until is None or on <= bidder.grade_valid_until))
    qualifies = valid and grade in GRADES and GRADES.index(grade) >= GRADES.index(settings.min_grade)
    recommended = bool(bidder and bidder.recommended) and settings.recommended_catalogue
    reasons = ([f"评估等级{grade}（{settings.min_grade}及以上）"] if qualifies else []) + (
        ["纳入推荐目录"] if recommended else [])
    return Preference(preferred=settings.enabled and (qualifies or recommended), grade=grade if valid else None,
                      grade_qualifies=qualifies, recommended=recommended, reasons=reasons)


def evaluate(uscc: str, bidder: Bidder | None, reports: list[BidderAnnualReport],
             violations: list[BidderViolation], on: date, settings: EligibilitySettings,
             pref: PreferenceSettings) -> Eligibility:
    """PROC-4: registered and active; good credit (on neither list, CR-16); annual report; no major violation."""
    b = bidder or Bidder(uscc=uscc)
    conditions = [
        Condition(code="registered_active", rule="PROC-4", met=b.registration_status == "active",
                  message_zh="依法登记且登记状态正常" if b.registration_status == "active"
                  else "未依法登记或登记状态非正常",
                  message="registered and active" if b.registration_status == "active"
                  else "not registered, or registration not active",
                  evidence={"registration_status": b.registration_status, "reason": b.status_reason}),
        Condition(code="credit_profile", rule="PROC-4", met=b.credit_colour is not None,
                  message_zh="已有信用档案" if b.credit_colour else "尚无信用档案",
                  message="credit profile known" if b.credit_colour else "no credit profile received yet",
                  evidence={"colour": b.credit_colour, "reason": b.colour_reason}),
        Condition(code="not_abnormal_listed", rule="PROC-4/CR-6", met=not b.abnormal_listed,
                  message_zh=f"列入活动异常名录：{b.abnormal_reason or '（原因未载明）'}" if b.abnormal_listed
                  else "未列入活动异常名录",
                  message="on the abnormal-activity list" if b.abnormal_listed else "not on the abnormal list",
                  evidence={"abnormal_listed": b.abnormal_listed, "reason": b.abnormal_reason}),
        Condition(code="not_serious_listed", rule="PROC-4/CR-12", met=not b.serious_listed,
                  message_zh=f"列入严重违法失信名单：{b.serious_reason or '（原因未载明）'}" if b.serious_listed
                  else "未列入严重违法失信名单",
                  message="on the serious-violation list" if b.serious_listed else "not on the serious list",
                  evidence={"serious_listed": b.serious_listed, "reason": b.serious_reason}),
        _annual_report(b, reports, on, settings),
        _violations(violations, on, settings.violation_lookback_years),
    ]
    facts = {"name": b.name, "org_type": b.org_type, "division_code": b.division_code,
             "registration_date": b.registration_date.isoformat() if b.registration_date else None,
             "grade": b.grade, "recommended": bool(b.recommended),
             "status_at": b.status_at.isoformat() if b.status_at else None,
             "lists_at": b.lists_at.isoformat() if b.lists_at else None}
    return Eligibility(uscc=uscc, as_of=on, eligible=all(c.met for c in conditions), conditions=conditions,
                       preference=preference(bidder, on, pref), facts=facts)
