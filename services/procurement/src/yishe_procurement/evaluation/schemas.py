from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, Field

from ..common.money import Score, YuanOut


class PanelRole(StrEnum):
    EXPERT = "expert"
    PURCHASER_REPRESENTATIVE = "purchaser_representative"


class PanelMemberIn(BaseModel):
    name: str = Field(min_length=2, max_length=100)
    role: PanelRole = PanelRole.EXPERT
    affiliation: str | None = Field(default=None, max_length=200)


class PanelSet(BaseModel):
    members: list[PanelMemberIn] = Field(min_length=1, max_length=25)


class BidScore(BaseModel):
    bid_id: str
    score: Score
    comment: str | None = Field(default=None, max_length=2000)


class ScoreSheet(BaseModel):
    member_name: str
    scores: list[BidScore] = Field(min_length=1)


class RankedBid(BaseModel):
    rank: int
    bid_id: str
    uscc: str
    org_name: str
    amount: YuanOut
    panel_score: Score | None
    bonus: Score
    total: Score | None
    preferred: bool
    preference_reasons: list[str]
    scores_missing: list[str]


class EvaluationRead(BaseModel):
    project_id: str
    panel: list[PanelMemberIn]
    ranking: list[RankedBid]
    complete: bool


class AwardCreate(BaseModel):
    award_date: date | None = Field(default=None, description="defaults to today")


class AwardRead(BaseModel):
    award_id: str
    project_id: str
    bid_id: str
    uscc: str
    org_name: str
    amount: YuanOut
    award_date: date
    decided_by: str
    ranking: list[dict[str, Any]]
    created_at: datetime
