from __future__ import annotations

from datetime import date

from pydantic import BaseModel


class DailyResult(BaseModel):
    as_of: date
    tenders_closed: list[str]
    follow_ups_overdue: list[int]
    follow_ups_cleared: list[int]
    disclosures_overdue: list[int]
    disclosures_cleared: list[int]
