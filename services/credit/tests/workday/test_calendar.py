from __future__ import annotations

from datetime import date

from yishe_credit.config import Settings
from yishe_credit.workday.calendar import WorkCalendar
from yishe_credit.workday.defaults import DEFAULT_YEARS, YearDays

CAL = WorkCalendar(DEFAULT_YEARS)


def test_make_up_saturday_is_a_working_day_and_holiday_weekday_is_not_when_2026_table_applies() -> None:
    assert CAL.is_working_day(date(2026, 2, 14))  # Saturday, 调休 before 春节
    assert not CAL.is_working_day(date(2026, 2, 16))  # Monday inside 春节
    assert not CAL.is_working_day(date(2026, 2, 21))  # ordinary Saturday inside the holiday
    assert CAL.is_working_day(date(2026, 10, 10))  # Saturday, 调休 after 国庆


def test_five_working_days_skip_the_national_day_holiday_when_counted_from_its_eve() -> None:
    """CR-5: 09-30 + 5 working days: 10-08, 10-09, 10-10 (make-up Saturday), 10-12, 10-13."""
    assert CAL.add_working_days(date(2026, 9, 30), 5) == date(2026, 10, 13)
    assert CAL.working_days_between(date(2026, 9, 30), date(2026, 10, 13)) == 5


def test_weekends_only_when_year_has_no_table() -> None:
    assert not CAL.knows(2031)
    assert CAL.add_working_days(date(2031, 1, 3), 1) == date(2031, 1, 6)  # Friday → Monday


def test_holiday_table_is_configuration_when_settings_override_a_year() -> None:
    custom = Settings(calendar={"years": {2031: YearDays(holidays=[date(2031, 1, 6)], source="test")}})
    cal = WorkCalendar(custom.calendar.years)
    assert cal.add_working_days(date(2031, 1, 3), 1) == date(2031, 1, 7)
    assert cal.knows(2026) and cal.knows(2027)  # configured years come on top of the default tables


async def test_working_days_endpoint_names_the_source_when_asked(client) -> None:
    body = (await client.get("/v1/calendar/working-days?start=2026-09-30&days=5")).json()
    assert (body["ends_on"], body["calendar_known"]) == ("2026-10-13", True)
    assert "待" in body["source"]
