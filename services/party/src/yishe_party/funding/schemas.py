from __future__ import annotations

from datetime import date
from decimal import Decimal

from pydantic import BaseModel, Field


class OrgFunding(BaseModel):
    org_id: int
    name: str
    division_code: str
    formation: str
    demonstration_one_off: Decimal = Field(description="PARTY-8: one-off grant in the designation year")
    members: int
    member_funds: Decimal = Field(description="PARTY-8: per member per year")
    secretary_level: int | None
    secretary_allowance: Decimal = Field(description="PARTY-9: minimum 双强红领 post allowance")
    total: Decimal
    notes: list[str] = Field(default_factory=list)


class TalentFunding(BaseModel):
    talent_id: int
    name: str
    division_code: str
    seconded_cadre: bool
    organisations: int
    allowance: Decimal
    rule: str
    note: str | None = None


class DivisionFunding(BaseModel):
    division_code: str
    party_organisations: int
    members: int
    demonstration_one_off: Decimal
    member_funds: Decimal
    secretary_allowances: Decimal
    instructor_allowances: Decimal
    seconded_cadres: int
    total: Decimal


class BudgetReport(BaseModel):
    """What the city/county budgets owe Party-building in a year, by division (PARTY-8, PARTY-9, PARTY-10)."""

    year: int
    division: str
    reference_date: date
    per_member_per_year: Decimal
    demonstration_one_off: Decimal
    secretary_level_minimums: dict[int, Decimal]
    divisions: list[DivisionFunding]
    organisations: list[OrgFunding]
    talents: list[TalentFunding]
    total: Decimal
