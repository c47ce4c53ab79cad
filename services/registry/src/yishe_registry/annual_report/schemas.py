from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from pydantic import BaseModel, ConfigDict, Field

from yishe_contracts.events.registry import AnnualReportResult, FirstInstanceDecision

from ..disclosure.schemas import BySource
from ..workforce.schemas import WorkforceIn

Money = Decimal


class Finance(BaseModel):
    total_income: Decimal = Field(ge=0, max_digits=14, decimal_places=2)
    total_expenditure: Decimal = Field(ge=0, max_digits=14, decimal_places=2)
    net_assets: Decimal = Field(max_digits=14, decimal_places=2)
    public_benefit_spending: Decimal | None = Field(None, ge=0, max_digits=14, decimal_places=2)
    staff_admin_costs: Decimal | None = Field(None, ge=0, max_digits=14, decimal_places=2)
    last_year_income: Decimal | None = Field(None, ge=0, max_digits=14, decimal_places=2)
    last_year_fund_balance: Decimal | None = Field(None, ge=0, max_digits=14, decimal_places=2)
    income_by_source: BySource | None = Field(None, description="DISC-5: for the financial disclosure")
    spending_by_source: BySource | None = None


class PartyBuilding(BaseModel):
    """AR-6 / PARTY-5: Party building is checked and reported in every annual report (三同步)."""

    has_party_organisation: bool
    full_members: int = Field(ge=0, le=100000)
    probationary_members: int = Field(0, ge=0, le=100000)
    activities_held: int = Field(0, ge=0, le=10000)
    instructor: str | None = Field(None, max_length=100, description="党建工作指导员")
    notes: str | None = Field(None, max_length=5000)


class ReportSubmit(BaseModel):
    model_config = ConfigDict(str_strip_whitespace=True)

    year: int = Field(ge=2000, le=2100, description="the year reported on")
    finance: Finance
    party_building: PartyBuilding
    activities: str = Field(min_length=2, max_length=20000, description="work done in the year")
    workforce: WorkforceIn | None = Field(None, description="WORK-1: full-time staff, certified social workers, "
                                          "volunteers at the end of the year")


class FirstInstance(BaseModel):
    decision: FirstInstanceDecision
    opinion: str = Field(min_length=1, max_length=5000)


class Review(BaseModel):
    result: AnnualReportResult
    opinion: str = Field(min_length=1, max_length=5000)


class ReportRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    uscc: str
    year: int
    status: str
    deadline: date
    supervisor_deadline: date | None
    submitted_at: datetime | None
    late: bool
    total_income: Decimal | None = None
    total_expenditure: Decimal | None = None
    net_assets: Decimal | None = None
    public_benefit_spending: Decimal | None = None
    staff_admin_costs: Decimal | None = None
    activities: str | None = None
    party_building: dict | None = None
    findings: list[dict] | None = None
    first_instance_decision: str | None = None
    first_instance_opinion: str | None = None
    result: str | None
    review_opinion: str | None = None
    reviewed_on: date | None
    disclosed_on: date | None
    overdue_on: date | None
    income_by_source: dict | None = None
    spending_by_source: dict | None = None
    workforce: dict | None = None
    reminders: list[str] = Field(default_factory=list)
