from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, Field


class ObjectionCreate(BaseModel):
    uscc: str = Field(min_length=18, max_length=18)
    target_type: Literal["listing", "record"]
    target_id: int
    reason: str = Field(min_length=1, max_length=4000)
    evidence: list[str] = Field(default_factory=list)
    submitted_on: date | None = None


class Acceptance(BaseModel):
    accepted: bool
    note: str | None = None
    decided_on: date | None = None


class Verification(BaseModel):
    upheld: bool = Field(description="the objection is founded: the information is wrong")
    finding: str = Field(min_length=1)
    verified_on: date | None = None


class Correction(BaseModel):
    correction: str = Field(min_length=1)
    corrected_on: date | None = None


class ObjectionRead(BaseModel):
    objection_id: int
    uscc: str
    target_type: str
    target_id: int
    reason: str
    evidence: list[str]
    submitted_on: date
    submitted_by: str
    status: str
    accept_due: date
    accepted_on: date | None
    acceptance_note: str | None
    verify_due: date | None
    verified_on: date | None
    upheld: bool | None
    finding: str | None
    correct_due: date | None
    corrected_on: date | None
    correction: str | None
    overdue_stage: str | None = None
