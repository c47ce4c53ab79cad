from __future__ import annotations

from datetime import date

from pydantic import BaseModel, Field


class RepairApply(BaseModel):
    commitment: str = Field(min_length=1, description="the public credit commitment (信用承诺)")
    applied_on: date | None = None


class RepairDecision(BaseModel):
    approved: bool
    reason: str | None = None
    decided_on: date | None = None


class WindowRead(BaseModel):
    window_id: int
    uscc: str
    entry_id: int
    tier: str
    published_from: date
    min_until: date
    max_until: date
    status: str
    ended_on: date | None
    end_rule: str | None
    end_reason: str | None
    repair_status: str | None
    repair_applied_on: date | None
    repair_decided_on: date | None
