from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, Field

from ..common.money import Yuan, YuanOut


class NeedItemCreate(BaseModel):
    title: str = Field(min_length=2, max_length=200)
    description: str | None = Field(default=None, max_length=2000)
    category: str | None = Field(default=None, max_length=50, description="e.g. 养老, 助残, 青少年")
    beneficiaries: int | None = Field(default=None, ge=0)


class NeedListCreate(BaseModel):
    division_code: str = Field(description="county-level division (GB/T 2260)")
    township: str = Field(min_length=2, max_length=100)
    community: str = Field(min_length=2, max_length=100)
    year: int = Field(ge=2000, le=2100)
    source: str | None = Field(default=None, max_length=200, description="e.g. the yearly survey (PLAT-1 枢纽作用)")
    items: list[NeedItemCreate] = Field(min_length=1, max_length=200)


class NeedItemRead(NeedItemCreate):
    need_item_id: int


class NeedListRead(BaseModel):
    need_list_id: str
    division_code: str
    township: str
    community: str
    year: int
    source: str | None
    created_at: datetime
    items: list[NeedItemRead]


class DesignCreate(BaseModel):
    title: str = Field(min_length=2, max_length=200)
    summary: str | None = Field(default=None, max_length=4000)
    designer_uscc: str = Field(description="the professional social-work agency that designed it")
    need_item_ids: list[int] = Field(min_length=1, max_length=100)
    estimated_amount: Yuan | None = None


class SupplierKind(StrEnum):
    DEPARTMENT = "department"
    ENTERPRISE = "enterprise"
    SOCIAL_ORGANISATION = "social_organisation"
    CHARITY = "charity"
    INDIVIDUAL = "individual"
    VILLAGE_COLLECTIVE = "village_collective"


class ResourceCreate(BaseModel):
    design_id: str
    supplier_name: str = Field(min_length=2, max_length=200)
    supplier_kind: SupplierKind
    supplier_uscc: str | None = None
    resource: str = Field(min_length=2, max_length=500, description="what the supplier provides (funds, space, …)")
    amount: Yuan | None = None
    undertaker_uscc: str = Field(description="服务承接方: the organisation that will deliver the service")


class ResourceRead(BaseModel):
    resource_id: str
    design_id: str
    supplier_name: str
    supplier_kind: str
    supplier_uscc: str | None
    resource: str
    amount: YuanOut | None
    undertaker_uscc: str
    created_at: datetime


class DesignRead(BaseModel):
    design_id: str
    division_code: str
    township: str
    year: int
    title: str
    summary: str | None
    designer_uscc: str
    estimated_amount: YuanOut | None
    need_item_ids: list[int]
    project_ids: list[str] = Field(default_factory=list)
    resources: list[ResourceRead] = Field(default_factory=list)
    created_at: datetime


class Matching(BaseModel):
    """The PLAT-6 chain for a division and year: needs, the designs answering them, resources and projects."""

    division_code: str
    year: int
    needs: list[NeedListRead]
    designs: list[DesignRead]
    unanswered_need_item_ids: list[int]
