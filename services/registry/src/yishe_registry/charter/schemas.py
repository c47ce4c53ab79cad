from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field


class CharterSubmit(BaseModel):
    text: str = Field(min_length=20, max_length=200_000)
    reason: str | None = Field(None, max_length=500, description="e.g. 会员大会修改章程")


class CharterDecision(BaseModel):
    opinion: str | None = Field(None, max_length=2000)


class CharterRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    uscc: str
    version: int
    text: str
    party_building_clause: bool
    status: str
    submitted_by: str
    submitted_at: datetime
    decided_by: str | None
    decided_on: date | None
    opinion: str | None
    reminders: list[str] = Field(default_factory=list)
