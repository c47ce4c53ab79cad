from __future__ import annotations

from datetime import date
from enum import StrEnum

from pydantic import BaseModel, Field


class Method(StrEnum):
    VISIT = "visit"
    PHONE = "phone"
    DOCUMENTS = "documents"
    MEETING = "meeting"


class FollowUpCreate(BaseModel):
    followed_on: date
    followed_by: str = Field(min_length=2, max_length=200, description="e.g. the township platform's social worker")
    method: Method = Method.VISIT
    findings: str = Field(min_length=4, max_length=4000)
    progress_percent: int | None = Field(default=None, ge=0, le=100)
    subcontracting_observed: bool = Field(default=False, description="PROC-8: the service is delivered by another")


class FollowUpRead(BaseModel):
    follow_up_id: int
    contract_id: str
    seq: int
    due_date: date
    done_on: date | None
    followed_by: str | None
    method: str | None
    findings: str | None
    progress_percent: int | None
    subcontracting_observed: bool
    state: str = Field(description="done / open / overdue (as of the request date)")


class FollowUpSummary(BaseModel):
    required: int
    done: int
    overdue: int
    meets_minimum: bool
    subcontracting_reported: bool
    items: list[FollowUpRead]
