"""AR-1..AR-3 as dates: who reports for which year, to whom first, and by when."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from yishe_contracts.events.common import OrgType

from ..config import RulesSettings


@dataclass(frozen=True)
class Window:
    opens: date
    supervisor_deadline: date | None  # first instance by the supervisory unit
    deadline: date  # to the registration authority


def _on(year: int, month_day: str) -> date:
    month, day = (int(x) for x in month_day.split("-"))
    return date(year, month, day)


def has_first_instance(org_type: str, supervisory_unit: str | None, category: str | None,
                       community_class: str | None) -> bool:
    """AR-1: organisations under dual management report to their supervisory unit first; AR-2: direct ones not."""
    return bool(supervisory_unit) and not category and not community_class


def window(org_type: str, first_instance: bool, year: int, rules: RulesSettings) -> Window:
    """AR-1: groups and 民非 by 31 March to the supervisory unit, by 31 May to the bureau; foundations by 31 March
    (after the supervisory unit's review); AR-2: the window opens on 1 January."""
    nxt = year + 1
    if org_type == OrgType.FOUNDATION.value:
        return Window(date(nxt, 1, 1), None, _on(nxt, rules.ar_foundation_deadline))
    sup = _on(nxt, rules.ar_supervisor_deadline) if first_instance else None
    return Window(date(nxt, 1, 1), sup, _on(nxt, rules.ar_bureau_deadline))


def due(org_type: str, registration_date: date, year: int, rules: RulesSettings) -> tuple[bool, str | None]:
    """Whether a report on `year` is due; AR-3: a 民非 registered ≤ 6 months before 31 December is exempt."""
    if registration_date > date(year, 12, 31):
        return False, "AR-1"
    if org_type in rules.ar_new_organisation_exempt_kinds and registration_date > _months_before_year_end(
            year, rules.ar_new_organisation_exempt_months):
        return False, "AR-3"
    return True, None


def _months_before_year_end(year: int, months: int) -> date:
    """31 December of `year` minus `months` months (month-end), e.g. 6 → 30 June."""
    m = 12 - months
    y = year + (m - 1) // 12
    m = (m - 1) % 12 + 1
    nxt = date(y + (m == 12), m % 12 + 1, 1)
    return date.fromordinal(nxt.toordinal() - 1)
