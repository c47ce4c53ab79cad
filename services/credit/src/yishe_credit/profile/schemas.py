from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, Field


class ColourChangeRead(BaseModel):
    from_colour: str | None
    to_colour: str
    rule: str
    reason: str
    at: datetime
    as_of: date | None = None
    until: date | None = None


class AlertRead(BaseModel):
    rule: str
    reason: str
    until: date | None = None


class ToLeave(BaseModel):
    """CODE-4: what the organisation must do to leave a list, and from when."""

    entry_id: int
    list_type: str
    trigger: str
    obligation: str | None
    obligation_met_on: date | None
    removable_from: date | None
    escalates_on: date | None


class CreditProfileRead(BaseModel):
    """The public credit view (CR-14, CODE-4); staff and the organisation itself also get the *_ fields below."""

    uscc: str
    org_name: str
    org_type: str
    registration_status: str
    colour: str
    colour_rule: str
    colour_reason: str
    colour_as_of: date | None
    colour_until: date | None = Field(description="earliest day the deciding condition can end, if a date")
    abnormal_listed: bool
    serious_listed: bool
    list_entries: list[dict] = Field(description="public fields per CR-14; staff see evidence and dates")
    publication: list[dict] = Field(description="信用中国 publication windows (CR-17), apart from the lists")
    grade: str | None
    grade_valid_until: date | None
    opened_at: datetime
    colour_history: list[ColourChangeRead] | None = None
    early_warnings: list[AlertRead] | None = None
    to_leave: list[ToLeave] | None = None


class WarningCreate(BaseModel):
    rule: str = Field(min_length=2, max_length=20, examples=["REG-10"])
    reason: str = Field(min_length=1)
    evidence: list[str]
    raised_on: date


class WarningResolve(BaseModel):
    resolution: str = Field(min_length=1)
    resolved_on: date


class WarningRead(BaseModel):
    warning_id: int
    uscc: str
    rule: str
    reason: str
    evidence: list[str]
    raised_on: date
    raised_by: str
    resolved_on: date | None
    resolution: str | None
