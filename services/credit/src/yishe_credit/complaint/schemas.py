from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, Field

from ..record.schemas import PenaltyIn

Kind = Literal["complaint", "report", "illegal_org"]


class Complainant(BaseModel):
    name: str = Field(min_length=1, max_length=100)
    phone: str = Field(pattern=r"^1\d{10}$")


class ComplaintCreate(BaseModel):
    """Public intake: leave `complainant` out to stay anonymous."""

    kind: Kind
    target_uscc: str | None = Field(default=None, description="the organisation's code, if known")
    target_name: str = Field(min_length=1, max_length=200)
    content: str = Field(min_length=5, max_length=8000)
    complainant: Complainant | None = None
    channel: Literal["web", "phone", "letter", "visit", "12345"] = "web"


class Triage(BaseModel):
    accepted: bool
    category: str | None = Field(default=None, max_length=60)
    note: str | None = None
    triaged_on: date | None = None


class Assignment(BaseModel):
    assignee: str = Field(min_length=1, max_length=100)
    unit: str | None = Field(default=None, max_length=200)
    assigned_on: date | None = None


class FindingRecord(BaseModel):
    """The credit record a finding creates (CR-4), without the organisation (the complaint's target)."""

    category: Literal["inspection", "penalty", "other"]
    title: str
    penalty: PenaltyIn | None = None


class Outcome(BaseModel):
    substantiated: bool
    finding: str = Field(min_length=1)
    reward: bool = Field(default=False, description="the reporter qualifies for a reward (举报奖励)")
    closed_on: date | None = None
    record: FindingRecord | None = None


class ComplaintTracking(BaseModel):
    """What an (anonymous) complainant sees with the tracking code."""

    tracking_code: str
    kind: str
    target_name: str
    received_on: date
    status: str
    handling_due: date | None
    outcome: str | None
    closed_on: date | None


class ComplaintRead(ComplaintTracking):
    complaint_id: int
    target_uscc: str | None
    content: str
    anonymous: bool
    complainant_name: str | None
    complainant_phone: str | None = Field(description="masked")
    channel: str
    triage_due: date
    triaged_on: date | None
    category: str | None
    triage_note: str | None
    assignee: str | None
    assigned_unit: str | None
    assigned_on: date | None
    finding: str | None
    reward: bool
    record_id: int | None
    overdue: str | None = None
