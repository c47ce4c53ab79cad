from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel


class Change(BaseModel):
    uscc: str
    what: str
    rule: str
    detail: str
    entry_id: int | None = None


class DailyResult(BaseModel):
    run_id: int
    as_of: date
    ran_at: datetime
    changes: list[Change]
    attention: list[Change]


class RunRead(BaseModel):
    run_id: int
    as_of: date
    ran_at: datetime
    ran_by: str
    change_count: int
