from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, Field

from ..catalogue.exclusions import ContentType
from ..common.money import PositiveYuan, YuanOut


class Method(StrEnum):
    """Purchase methods (政府采购方式); the OCDS `procurementMethod` each maps to is in ocds/builder.py."""

    PUBLIC_TENDER = "公开招标"
    INVITED_TENDER = "邀请招标"
    COMPETITIVE_CONSULTATION = "竞争性磋商"
    COMPETITIVE_NEGOTIATION = "竞争性谈判"
    SINGLE_SOURCE = "单一来源"
    ENQUIRY = "询价"


class MultiYear(BaseModel):
    """PROC-7: a term over 1 year (up to 3) needs budget assurance and a stable, continuous, steady-price service."""

    budget_assured: bool
    stable_continuous: bool
    stable_price: bool
    justification: str = Field(min_length=10, max_length=2000)


class ProjectCreate(BaseModel):
    title: str = Field(min_length=2, max_length=200)
    description: str | None = Field(default=None, max_length=4000)
    purchaser_department: str = Field(min_length=2, max_length=200, description="购买主体, e.g. 温州市鹿城区民政局")
    purchaser_uscc: str | None = Field(default=None, description="the department's USCC (published as CN-USCI)")
    division_code: str = Field(description="county-level division the service is for")
    catalogue_item_code: str = Field(max_length=20)
    catalogue_id: str | None = Field(default=None, description="defaults to the most local published catalogue")
    budget_amount: PositiveYuan | None = Field(default=None, description="yuan (PROC-6: no budget, no purchase)")
    budget_source: str | None = Field(default=None, max_length=200, description="e.g. 区级财政预算")
    budget_year: int = Field(ge=2000, le=2100)
    method: Method
    term_start: date
    term_end: date
    multi_year: MultiYear | None = None
    tender_end: date = Field(description="last day bids are accepted")
    content_type: ContentType = ContentType.SERVICE
    within_purchaser_duties: bool = True
    government_must_perform: bool = False
    legally_excluded: bool = False
    new_spending: bool = Field(default=True, description="新增公共服务支出 (PROC-9/10 share reports)")
    platform_support: bool | None = Field(default=None, description="PROC-10; defaults to the catalogue item's flag")
    design_id: str | None = Field(default=None, description="the PLAT-6 project design it carries")


class ProjectAmend(BaseModel):
    rationale: str = Field(min_length=4, max_length=1000)
    title: str | None = Field(default=None, min_length=2, max_length=200)
    description: str | None = Field(default=None, max_length=4000)
    budget_amount: PositiveYuan | None = None
    budget_source: str | None = Field(default=None, max_length=200)
    method: Method | None = None
    term_start: date | None = None
    term_end: date | None = None
    multi_year: MultiYear | None = None
    tender_end: date | None = None


class ProjectCancel(BaseModel):
    reason: str = Field(min_length=4, max_length=500)


class AmendmentRead(BaseModel):
    version: int
    stage: str
    rationale: str
    changes: dict[str, Any]
    actor: str
    amended_at: datetime


class ProjectRead(BaseModel):
    project_id: str
    ocid: str
    code: str
    title: str
    description: str | None
    purchaser_department: str
    purchaser_uscc: str | None
    division_code: str
    catalogue_id: str
    catalogue_level: str
    catalogue_item_code: str
    catalogue_item_name: str
    platform_support: bool
    new_spending: bool
    budget_amount: YuanOut
    budget_source: str
    budget_year: int
    method: str
    term_start: date
    term_end: date
    multi_year: dict[str, Any] | None
    tender_end: date
    design_id: str | None
    status: str
    version: int
    created_at: datetime
    published_at: datetime | None
    cancel_reason: str | None
    amendments: list[AmendmentRead] = Field(default_factory=list)
