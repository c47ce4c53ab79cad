from __future__ import annotations

from datetime import date
from enum import StrEnum

from pydantic import BaseModel, Field

from ..common.money import PositiveYuan, Ratio, YuanOut


class SupplierKind(StrEnum):
    SOCIAL_ORGANISATION = "social_organisation"
    ENTERPRISE = "enterprise"
    PUBLIC_INSTITUTION = "public_institution"
    OTHER = "other"


class GroupBy(StrEnum):
    DEPARTMENT = "department"
    DIVISION = "division"
    YEAR = "year"


class PurchaseRecordCreate(BaseModel):
    department: str = Field(min_length=2, max_length=200)
    division_code: str
    year: int = Field(ge=2000, le=2100)
    amount: PositiveYuan
    supplier_kind: SupplierKind
    supplier_id: str | None = Field(default=None, description="the supplier's USCC, if it has one")
    supplier_name: str = Field(min_length=2, max_length=200)
    new_spending: bool = True
    platform_support: bool = False
    signed_on: date


class PurchaseRecordRead(BaseModel):
    record_id: str
    source: str
    contract_id: str | None
    department: str
    division_code: str
    year: int
    amount: YuanOut
    supplier_kind: str
    supplier_id: str | None
    supplier_name: str
    new_spending: bool
    platform_support: bool
    signed_on: date


class ShareRow(BaseModel):
    key: str
    total: YuanOut = Field(description="new public-service purchase spending")
    social_org: YuanOut
    social_org_share: Ratio | None
    social_org_target_met: bool | None
    platform: YuanOut = Field(description="bought from social organisations for platforms / community organisations")
    platform_share: Ratio | None
    platform_target_met: bool | None
    contracts: int


class SharesReport(BaseModel):
    year: int | None
    division_code: str | None
    group_by: GroupBy
    social_org_target: Ratio
    platform_target: Ratio
    rows: list[ShareRow]
    overall: ShareRow
