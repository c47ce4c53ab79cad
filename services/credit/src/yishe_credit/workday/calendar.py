"""Working days: Monday–Friday, minus public holidays, plus make-up working days (调休); per configured year."""

from __future__ import annotations

from datetime import date, timedelta

import structlog

from .defaults import YearDays

log = structlog.get_logger("yishe.credit.workday")


class WorkCalendar:
    def __init__(self, years: dict[int, YearDays]):
        self.years = dict(years)
        self._holidays = {d for y in years.values() for d in y.holidays}
        self._makeup = {d for y in years.values() for d in y.makeup_workdays}
        self._warned: set[int] = set()

    def knows(self, year: int) -> bool:
        return year in self.years

    def is_working_day(self, day: date) -> bool:
        """A make-up day works even on a weekend; a holiday rests even on a weekday; otherwise Monday–Friday."""
        if not self.knows(day.year) and day.year not in self._warned:
            self._warned.add(day.year)
            log.warning("no holiday table for year: weekends only", year=day.year)
        if day in self._makeup:
            return True
        if day in self._holidays:
            return False
        return day.weekday() < 5

    def add_working_days(self, start: date, days: int) -> date:
        """The date `days` working days after `start` (start itself not counted): CR-5, CR-10, CR-15 deadlines."""
        current, left = start, days
        while left > 0:
            current += timedelta(days=1)
            if self.is_working_day(current):
                left -= 1
        return current

    def working_days_between(self, start: date, end: date) -> int:
        """Working days in (start, end]; 0 when end ≤ start."""
        count, current = 0, start
        while current < end:
            current += timedelta(days=1)
            if self.is_working_day(current):
                count += 1
        return count
