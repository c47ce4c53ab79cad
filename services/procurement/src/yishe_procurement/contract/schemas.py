from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, Field

from ..common.money import PositiveYuan, YuanOut
from ..disclosure.schemas import DisclosureRead
from ..followup.schemas import FollowUpSummary


class MilestoneIn(BaseModel):
    title: str = Field(min_length=2, max_length=200)
    due_date: date
    amount: PositiveYuan


class ContractCreate(BaseModel):
    """PROC-7 content: each text is required (checked with the rule id), price at most the award."""

    content: str | None = Field(default=None, max_length=10000, description="服务内容")
    quantity: str | None = Field(default=None, max_length=4000, description="服务数量")
    quality: str | None = Field(default=None, max_length=4000, description="质量标准")
    price: PositiveYuan | None = Field(default=None, description="defaults to the awarded amount")
    settlement: str | None = Field(default=None, max_length=4000, description="资金结算方式")
    rights_obligations: str | None = Field(default=None, max_length=10000, description="双方权利义务")
    liability: str | None = Field(default=None, max_length=4000, description="违约责任")
    period_start: date | None = Field(default=None, description="defaults to the project term")
    period_end: date | None = None
    date_signed: date
    milestones: list[MilestoneIn] = Field(min_length=1, max_length=24, description="amounts add up to the price")
    subcontracting_allowed: bool = Field(default=False, description="must be false (PROC-8)")
    purchaser_guarantees_financing: bool = Field(default=False, description="must be false (PROC-8)")


class MilestoneMet(BaseModel):
    date_met: date
    note: str | None = Field(default=None, max_length=2000)


class PaymentCreate(BaseModel):
    milestone_seq: int = Field(ge=1)
    amount: PositiveYuan
    paid_on: date
    payee_uscc: str = Field(description="must be the undertaker (PROC-8)")
    voucher: str | None = Field(default=None, max_length=100)


class MilestoneRead(BaseModel):
    seq: int
    title: str
    due_date: date
    amount: YuanOut
    status: str
    date_met: date | None
    paid: YuanOut


class PaymentRead(BaseModel):
    payment_id: int
    milestone_seq: int
    amount: YuanOut
    paid_on: date
    payee_uscc: str
    voucher: str | None


class ContractRead(BaseModel):
    contract_id: str
    contract_number: str
    project_id: str
    ocid: str
    award_id: str
    uscc: str
    org_name: str
    purchaser_department: str
    title: str
    content: str
    quantity: str
    quality: str
    price: YuanOut
    settlement: str
    rights_obligations: str
    liability: str
    period_start: date
    period_end: date
    date_signed: date
    status: str
    published_at: datetime
    completed_on: date | None
    subcontracting_allowed: bool = False
    paid_total: YuanOut
    milestones: list[MilestoneRead]
    payments: list[PaymentRead]
    follow_ups: FollowUpSummary
    disclosures: list[DisclosureRead]


class ContractSummary(BaseModel):
    contract_id: str
    contract_number: str
    project_id: str
    uscc: str
    org_name: str
    title: str
    price: YuanOut
    date_signed: date
    period_end: date
    status: str
