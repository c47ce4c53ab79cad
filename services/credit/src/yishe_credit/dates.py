"""Date arithmetic used by the credit rules (calendar months and years, clamped at month end)."""

from __future__ import annotations

import calendar as _cal
from datetime import date


def add_months(day: date, months: int) -> date:
    """Same day `months` later (clamped: 08-31 + 6 months → 02-28/29): "满6个月" completes on that date."""
    total = day.month - 1 + months
    year, month = day.year + total // 12, total % 12 + 1
    return date(year, month, min(day.day, _cal.monthrange(year, month)[1]))


def add_years(day: date, years: int) -> date:
    """Same day `years` later; 02-29 → 02-28 in a common year ("满2年")."""
    return add_months(day, 12 * years)
