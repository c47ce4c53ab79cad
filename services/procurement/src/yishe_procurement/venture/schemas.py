from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, Field

from ..common.money import PositiveYuan, Ratio, YuanOut


class FundingSource(StrEnum):
    WELFARE_LOTTERY = "welfare_lottery"  # 福彩公益金
    FISCAL = "fiscal"
    CHARITY = "charity"
    OTHER = "other"


class CostCategory(StrEnum):
    LABOUR = "labour"  # 人工成本
    ACTIVITY = "activity"
    MATERIAL = "material"
    PUBLICITY = "publicity"
    ADMIN = "admin"
    OTHER = "other"


class CostLine(BaseModel):
    category: CostCategory
    description: str = Field(min_length=2, max_length=200)
    amount: PositiveYuan


class RoundCreate(BaseModel):
    title: str = Field(min_length=2, max_length=200)
    year: int = Field(ge=2000, le=2100)
    division_code: str
    funding_source: FundingSource
    pool_amount: PositiveYuan
    apply_until: date


class ApplicationCreate(BaseModel):
    uscc: str
    title: str = Field(min_length=2, max_length=200)
    summary: str = Field(min_length=10, max_length=10000)
    requested_amount: PositiveYuan
    budget: list[CostLine] = Field(min_length=1, max_length=100)


class GrantCreate(BaseModel):
    grant_amount: PositiveYuan
    budget: list[CostLine] | None = Field(default=None, description="restated budget when the grant is smaller")


class SpendingCreate(BaseModel):
    reported_on: date
    lines: list[CostLine] = Field(min_length=1, max_length=200)


class RoundRead(BaseModel):
    round_id: str
    title: str
    year: int
    division_code: str
    funding_source: str
    pool_amount: YuanOut
    labour_max_ratio: Ratio | None
    apply_until: date
    granted_total: YuanOut
    applications: int
    created_at: datetime


class ApplicationRead(BaseModel):
    application_id: str
    round_id: str
    uscc: str
    org_name: str
    title: str
    summary: str
    requested_amount: YuanOut
    budget: list[dict[str, Any]]
    labour_budget: YuanOut
    status: str
    grant_amount: YuanOut | None
    granted_on: date | None
    spent_total: YuanOut
    spent_labour: YuanOut
    labour_cap: YuanOut | None = Field(description="PROC-11: the most labour the grant may pay")
    eligibility: dict[str, Any]
