"""Dates in the bureau's time zone (UTC+8): "today" for deadlines and default effective dates."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

CHINA = timezone(timedelta(hours=8))


def today() -> date:
    return datetime.now(CHINA).date()


def now() -> datetime:
    return datetime.now(UTC)


def local_date(moment: datetime) -> date:
    """The bureau's day of an instant."""
    return moment.astimezone(CHINA).date()
