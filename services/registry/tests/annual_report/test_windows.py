from __future__ import annotations

from datetime import date

from yishe_registry.annual_report import windows
from yishe_registry.config import RulesSettings

RULES = RulesSettings()


def test_deadlines_by_kind_when_ar1() -> None:
    assert windows.window("社会团体", True, 2026, RULES).supervisor_deadline == date(2027, 3, 31)
    assert windows.window("社会团体", False, 2026, RULES).deadline == date(2027, 5, 31)
    assert windows.window("基金会", True, 2026, RULES).deadline == date(2027, 3, 31)


def test_deadline_configurable_when_province_differs() -> None:
    rules = RulesSettings(ar_bureau_deadline="06-30")
    assert windows.window("民办非企业单位", False, 2026, rules).deadline == date(2027, 6, 30)


def test_duty_follows_registration_date_when_ar3() -> None:
    assert windows.due("民办非企业单位", date(2026, 7, 1), 2026, RULES) == (False, "AR-3")
    assert windows.due("民办非企业单位", date(2026, 6, 30), 2026, RULES) == (True, None)
    assert windows.due("社会团体", date(2026, 12, 1), 2026, RULES) == (True, None)
    assert windows.due("社会团体", date(2027, 1, 1), 2026, RULES) == (False, "AR-1")
