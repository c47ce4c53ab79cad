from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, Field


class InspectorCreate(BaseModel):
    name: str = Field(min_length=1, max_length=100)
    unit: str = Field(min_length=1, max_length=200)
    division_code: str = Field(pattern=r"^\d{6}$")


class InspectorRead(InspectorCreate):
    inspector_id: int
    active: bool


class PlanCreate(BaseModel):
    name: str = Field(min_length=1, max_length=200)
    year: int = Field(ge=2000, le=2100)
    ratio: Decimal | None = Field(default=None, gt=0, le=1, description="share drawn per stratum")
    division_prefix: str = Field(default="", pattern=r"^\d{0,6}$")
    org_types: list[str] = Field(default_factory=list, description="empty = all kinds")
    seed: str | None = Field(default=None, max_length=64, description="recorded; generated when omitted")
    inspectors_per_org: int | None = Field(default=None, ge=1, le=5)


class InspectionRead(BaseModel):
    inspection_id: int
    plan_id: int
    uscc: str
    org_name: str
    stratum: str
    inspectors: list[dict]
    status: str
    inspected_on: date | None
    result: str | None
    findings: str | None = None
    rectification_due: date | None
    rectified_on: date | None
    record_id: int | None = None


class PlanRead(BaseModel):
    plan_id: int
    name: str
    year: int
    seed: str
    ratio: Decimal
    division_prefix: str
    org_types: list[str]
    inspectors_per_org: int
    population_size: int
    strata: list[dict]
    created_on: date
    inspections: list[InspectionRead]


class PlanCheck(BaseModel):
    plan_id: int
    reproduced: bool
    sampled: list[str]


class ResultIn(BaseModel):
    inspected_on: date
    result: Literal["合格", "基本合格", "责令整改", "不合格"]
    findings: str = Field(min_length=1)
    rectification_due: date | None = Field(default=None, description="for 责令整改/不合格; default +30 days")


class Rectified(BaseModel):
    rectified_on: date
    evidence: list[str]
