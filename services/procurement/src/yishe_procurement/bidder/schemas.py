from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, Field


class EligibilityProblem(BaseModel):
    rule: str
    message_zh: str
    message: str
    code: str | None = None


class Condition(BaseModel):
    """One PROC-4 condition as evaluated on a date, with the facts it rested on."""

    code: str
    rule: str
    met: bool
    message_zh: str
    message: str
    evidence: dict[str, Any] = Field(default_factory=dict)


class Preference(BaseModel):
    """PROC-9 preference facts on a date."""

    preferred: bool
    grade: str | None
    grade_qualifies: bool
    recommended: bool
    reasons: list[str]


class Eligibility(BaseModel):
    uscc: str
    as_of: date
    eligible: bool
    conditions: list[Condition]
    preference: Preference
    facts: dict[str, Any]


class BidderRead(BaseModel):
    uscc: str
    name: str | None
    registration_status: str | None
    credit_colour: str | None
    abnormal_listed: bool | None
    serious_listed: bool | None
    may_bid: bool
    problems: list[EligibilityProblem]
    contracts: int = 0
    updated_at: datetime
    grade: str | None = None
    recommended: bool = False
    preferred: bool = False
    conditions: list[Condition] = Field(default_factory=list)


class RecommendationSet(BaseModel):
    recommended: bool
    basis: str = Field(min_length=2, max_length=500, description="e.g. the recommended-catalogue (推荐目录) document")
