from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel


class EligibilityProblem(BaseModel):
    rule: str
    message_zh: str
    message: str


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
