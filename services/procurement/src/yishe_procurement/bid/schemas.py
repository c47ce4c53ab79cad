from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, Field

from ..common.money import PositiveYuan, YuanOut


class BidCreate(BaseModel):
    uscc: str = Field(description="the bidding organisation; must be the caller (role org)")
    amount: PositiveYuan = Field(description="the bid price in yuan, at most the budget")
    proposal: str = Field(min_length=10, max_length=10000, description="service proposal summary")
    subcontractors: list[str] = Field(default_factory=list, description="must be empty: no subcontracting (PROC-8)")


class BidRead(BaseModel):
    bid_id: str
    project_id: str
    uscc: str
    org_name: str
    amount: YuanOut
    proposal: str
    bid_date: date
    submitted_at: datetime
    preferred: bool
    status: str
    evidence: dict[str, Any] = Field(description="the PROC-4 conditions and PROC-9 preference frozen on the bid date")


class RefusedBidRead(BaseModel):
    """A bid refused at submission and why: the failed rules and the PROC-4 conditions as evaluated then."""

    refusal_id: str
    project_id: str
    uscc: str
    org_name: str
    amount: YuanOut
    bid_date: date
    refused_at: datetime
    code: str = Field(description="bidder_ineligible (PROC-4) or bid_refused (PROC-6 budget, PROC-8 subcontracting)")
    problems: list[dict[str, Any]] = Field(description="each failed rule: field, rule, message_zh, message")
    evidence: dict[str, Any] = Field(description="the PROC-4 conditions and PROC-9 preference frozen on the bid date")
