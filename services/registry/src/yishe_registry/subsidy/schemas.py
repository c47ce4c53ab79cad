from __future__ import annotations

from datetime import date
from decimal import Decimal

from pydantic import BaseModel, ConfigDict, Field


class MonthIn(BaseModel):
    month: str = Field(pattern=r"^\d{4}-(0[1-9]|1[0-2])$", description="YYYY-MM")
    contribution_paid: Decimal = Field(max_digits=14, decimal_places=2, description="social insurance actually paid")


class Person(BaseModel):
    model_config = ConfigDict(str_strip_whitespace=True)

    name: str = Field(min_length=1, max_length=100)
    id_number: str = Field(min_length=15, max_length=18)


class GraduateApplication(BaseModel):
    """SUB-1..SUB-5: a graduate hired within 2 years of graduating; up to 12 months actually contributed."""

    graduate: Person
    graduation_date: date
    hired_on: date
    months: list[MonthIn] = Field(min_length=1, max_length=24)


class TrainingApplication(BaseModel):
    """SUB-6: a training course or a skills certificate (职业技能培训 / 技能证书) for one person."""

    model_config = ConfigDict(str_strip_whitespace=True)

    kind: str = Field(max_length=30, description="training | skills_certificate")
    person: Person
    item: str = Field(min_length=2, max_length=200, description="course or certificate name")
    certificate_no: str | None = Field(None, max_length=100)
    completed_on: date
    amount: Decimal = Field(max_digits=14, decimal_places=2)


class Decision(BaseModel):
    on: date | None = Field(None, description="default today")
    note: str | None = Field(None, max_length=2000)


class MonthRead(BaseModel):
    month: str
    contribution_paid: Decimal


class SubsidyRead(BaseModel):
    application_id: int
    uscc: str
    kind: str
    year: int
    status: str
    person_name: str
    person_id_number: str
    personal_data: str = Field(description="full (the handling staff member) | masked")
    graduation_date: date | None
    hired_on: date | None
    item: str | None
    certificate_no: str | None
    months: list[MonthRead] = Field(default_factory=list)
    amount: Decimal
    submitted_on: date
    approved_on: date | None
    paid_on: date | None
    handled_by: str | None


class Ledger(BaseModel):
    uscc: str
    year: int
    applications: list[SubsidyRead]
    requested: Decimal
    approved: Decimal
    paid: Decimal
