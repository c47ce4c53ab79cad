from __future__ import annotations

from datetime import date

from yishe_procurement.bidder.eligibility import evaluate, required_report_year
from yishe_procurement.bidder.models import Bidder, BidderAnnualReport, BidderViolation
from yishe_procurement.config import EligibilitySettings, PreferenceSettings

USCC = "51330302MJ0000016B"


def _bidder(**kw) -> Bidder:
    base = dict(uscc=USCC, name="协会", org_type="社会团体", registration_status="active", credit_colour="green",
                abnormal_listed=False, serious_listed=False, registration_date=date(2020, 1, 1), recommended=False)
    return Bidder(**base | kw)


def _codes(result) -> list[str]:
    return [c.code for c in result.conditions if not c.met]


def test_required_report_year_is_last_year_when_the_deadline_has_passed() -> None:
    settings = EligibilitySettings()
    assert required_report_year(date(2026, 6, 1), settings) == 2025
    assert required_report_year(date(2026, 5, 31), settings) == 2024


def test_new_private_non_enterprise_is_exempt_when_registered_in_the_last_six_months_of_the_year() -> None:
    bidder = _bidder(org_type="民办非企业单位", registration_date=date(2025, 8, 1))
    result = evaluate(USCC, bidder, [], [], date(2026, 7, 1), EligibilitySettings(), PreferenceSettings())
    assert result.eligible
    group = _bidder(registration_date=date(2025, 8, 1))
    assert _codes(evaluate(USCC, group, [], [], date(2026, 7, 1), EligibilitySettings(),
                           PreferenceSettings())) == ["annual_report_passed"]


def test_violation_older_than_three_years_does_not_count_when_checking() -> None:
    old = BidderViolation(uscc=USCC, kind="serious_list", rule="CR-12.4", reason="罚款", occurred_on=date(2023, 6, 30))
    report = BidderAnnualReport(uscc=USCC, year=2025, result="合格")
    assert evaluate(USCC, _bidder(), [report], [old], date(2026, 7, 1), EligibilitySettings(),
                    PreferenceSettings()).eligible
    recent = BidderViolation(uscc=USCC, kind="serious_list", rule="CR-12.4", reason="罚款",
                             occurred_on=date(2023, 7, 2))
    assert _codes(evaluate(USCC, _bidder(), [report], [recent], date(2026, 7, 1), EligibilitySettings(),
                           PreferenceSettings())) == ["no_major_violation"]


def test_grade_below_the_configured_minimum_is_not_preferred_when_evaluating() -> None:
    bidder = _bidder(grade="3A", registration_date=date(2026, 1, 1))
    assert evaluate(USCC, bidder, [], [], date(2026, 7, 1), EligibilitySettings(),
                    PreferenceSettings()).preference.preferred
    assert not evaluate(USCC, bidder, [], [], date(2026, 7, 1), EligibilitySettings(),
                        PreferenceSettings(min_grade="4A")).preference.preferred


def test_unknown_organisation_fails_every_registry_and_credit_condition_when_evaluated() -> None:
    result = evaluate(USCC, None, [], [], date(2026, 7, 1), EligibilitySettings(), PreferenceSettings())
    assert _codes(result) == ["registered_active", "credit_profile", "annual_report_passed"]
