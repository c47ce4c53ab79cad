from __future__ import annotations

from datetime import date
from decimal import Decimal

from pydantic import BaseModel, Field


class RewardRead(BaseModel):
    reward_id: int
    uscc: str
    name: str
    division_code: str
    grade: str
    amount: Decimal
    locality: str
    awarded_on: date
    source: str
    status: str
    status_label: str
    approved_on: date | None
    approved_by: str | None
    paid_on: date | None
    paid_by: str | None
    voucher: str | None


class RewardClaim(BaseModel):
    uscc: str = Field(min_length=18, max_length=18)
    grade: str = Field(pattern=r"^[3-5]A$")


class RewardApprove(BaseModel):
    approved_on: date | None = None


class RewardPay(BaseModel):
    paid_on: date | None = None
    voucher: str | None = Field(default=None, max_length=100, description="payment voucher number")


class RewardSummary(BaseModel):
    division: str
    count: int
    payable: Decimal
    approved: Decimal
    paid: Decimal
    by_grade: dict[str, int]
