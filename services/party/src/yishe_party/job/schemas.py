from __future__ import annotations

from datetime import date

from pydantic import BaseModel

from ..coverage.schemas import CoverageChangeRead


class InstructorAssigned(BaseModel):
    uscc: str
    talent_id: int


class DailyRunRead(BaseModel):
    as_of: date
    capture_overdue: list[str]
    instructors_assigned: list[InstructorAssigned]
    coverage_changes: list[CoverageChangeRead]
