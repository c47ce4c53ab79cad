"""The one business clock: business dates are Asia/Shanghai dates, "now" is an aware UTC instant.

Every rule that asks "what day is it" reads `Clock.today()`; nothing else in the platform calls `date.today()` or
`datetime.now()` for a business decision. In development, tests and training (`GATEWAY_ENV=dev`) the platform may
run on a *platform date*: an offset in whole days applied to the real clock, so time still moves forward from the
chosen day. `set_platform_date` is the only way to move it; the wiring that makes every process follow one source
of truth (a NATS KV key written by the gateway) lives beside this module.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Annotated
from zoneinfo import ZoneInfo

from fastapi import Depends, Request

from yishe_contracts import identifiers

BUSINESS_TZ = ZoneInfo("Asia/Shanghai")


def business_date(instant: datetime) -> date:
    """The Asia/Shanghai calendar day of an instant (a naive instant is taken as UTC)."""
    if instant.tzinfo is None:
        instant = instant.replace(tzinfo=UTC)
    return instant.astimezone(BUSINESS_TZ).date()


class Clock:
    """Real time, optionally shifted by whole days to a platform date; `fixed` pins `today()` (tests only)."""

    def __init__(self, *, offset_days: int = 0, fixed: date | None = None):
        self.offset_days = offset_days
        self.fixed = fixed

    def real_now(self) -> datetime:
        return datetime.now(UTC)

    def now(self) -> datetime:
        """The platform's instant (aware, UTC): real time moved by the platform offset."""
        return self.real_now() + timedelta(days=self.offset_days)

    def today(self) -> date:
        """The platform's business date in Asia/Shanghai."""
        if self.fixed is not None:
            return self.fixed
        return business_date(self.now())

    @property
    def shifted(self) -> bool:
        return self.offset_days != 0 or self.fixed is not None

    def set_platform_date(self, day: date | None) -> None:
        """Run the platform as if today were `day` (None: back to the real date)."""
        self.fixed = None
        self.offset_days = 0 if day is None else (day - business_date(self.real_now())).days


_default = Clock()


def default_clock() -> Clock:
    """The process's clock (consumers, jobs and anything outside a request use this one)."""
    return _default


def get_clock(request: Request) -> Clock:
    clock = getattr(request.app.state, "clock", None)
    return clock if isinstance(clock, Clock) else _default


def get_today(clock: Annotated[Clock, Depends(get_clock)]) -> date:
    return clock.today()


ClockDep = Annotated[Clock, Depends(get_clock)]
TodayDep = Annotated[date, Depends(get_today)]


def now() -> datetime:
    """The process clock's instant: when a business act is recorded (moves with the platform date)."""
    return _default.now()


def today() -> date:
    """The process clock's business date (code without a request or handler context; see `ClockDep`)."""
    return _default.today()


identifiers.use_business_clock(today)  # ID-1's "not born in the future" reads this clock too
