"""The business clock: today's date in the bureau's time zone; tests replace `app.state.clock`."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Annotated
from zoneinfo import ZoneInfo

from fastapi import Depends, Request


class Clock:
    def __init__(self, tz: str, fixed: date | None = None):
        self.zone = ZoneInfo(tz)
        self.fixed = fixed

    def today(self) -> date:
        return self.fixed or datetime.now(self.zone).date()


def now() -> datetime:
    return datetime.now(UTC)


def get_today(request: Request) -> date:
    return request.app.state.clock.today()


TodayDep = Annotated[date, Depends(get_today)]
