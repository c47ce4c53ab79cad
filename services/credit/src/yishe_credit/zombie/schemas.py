from __future__ import annotations

from datetime import date

from pydantic import BaseModel, Field


class Candidate(BaseModel):
    uscc: str
    org_name: str
    division_code: str
    signals: dict[str, bool]
    evidence: list[str]
    last_activity_on: date | None


class DecisionIn(BaseModel):
    uscc: str = Field(min_length=18, max_length=18)
    confirmed: bool
    evidence: list[str] = Field(default_factory=list, description="staff's own findings, added to the signals")
    decided_on: date | None = None
    decided_by: str | None = None


class DecisionRead(BaseModel):
    decision_id: int
    uscc: str
    confirmed: bool
    evidence: list[str]
    decided_on: date
    decided_by: str
