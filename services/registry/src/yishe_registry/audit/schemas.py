from __future__ import annotations

from datetime import date
from decimal import Decimal

from pydantic import BaseModel, ConfigDict, Field


class EngagementCreate(BaseModel):
    """Commission an audit firm; `occasion`: inspection | evaluation | legal_rep_change | deregistration (TPA-1)."""

    model_config = ConfigDict(str_strip_whitespace=True)

    occasion: str = Field(max_length=30)
    audit_firm: str = Field(min_length=2, max_length=200)
    fee: Decimal = Field(max_digits=14, decimal_places=2, description="paid by the authority (TPA-4: ≥ 0)")
    commissioned_on: date | None = Field(None, description="default today")
    due_on: date | None = None


class ExemptionCreate(BaseModel):
    """A documented exemption: the step goes ahead without an audit (TPA-2, TPA-3)."""

    model_config = ConfigDict(str_strip_whitespace=True)

    occasion: str = Field(max_length=30)
    reason: str = Field(min_length=2, max_length=2000)
    authorised_by: str = Field(min_length=1, max_length=100, description="who authorised it")


class FindingIn(BaseModel):
    model_config = ConfigDict(str_strip_whitespace=True)

    severity: str = Field(max_length=20, description="note | moderate | serious (the last two are adverse)")
    summary: str = Field(min_length=2, max_length=2000)
    evidence: list[str] = Field(default_factory=list, max_length=50, description="document references")


class ReportFile(BaseModel):
    model_config = ConfigDict(str_strip_whitespace=True)

    report_ref: str = Field(min_length=3, max_length=500, description="link or attachment reference")
    opinion: str | None = Field(None, max_length=5000)
    reported_on: date | None = Field(None, description="default today")
    findings: list[FindingIn] = Field(default_factory=list, max_length=200)


class FindingRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    finding_id: int
    severity: str
    adverse: bool = False
    summary: str
    evidence: list[str]


class EngagementRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    engagement_id: int
    uscc: str
    division_code: str
    occasion: str
    status: str
    audit_firm: str | None
    fee: Decimal
    budget_year: int
    commissioned_on: date
    due_on: date | None
    report_ref: str | None
    opinion: str | None
    reported_on: date | None
    exemption_reason: str | None
    exemption_authorised_by: str | None
    used_for: str | None
    findings: list[FindingRead] = Field(default_factory=list)
    completed: list[str] = Field(default_factory=list, description="steps this report or exemption completed")


class FeeRow(BaseModel):
    year: int
    division_code: str
    engagements: int
    fee_total: Decimal


class FeeReport(BaseModel):
    year: int | None
    division: str | None
    rows: list[FeeRow]
    total: Decimal
