from __future__ import annotations

from datetime import date

from pydantic import BaseModel, Field


class Changed(BaseModel):
    count: int
    sample: list[str] = Field(description="the first 100 affected ids")


class DailyResult(BaseModel):
    as_of: date
    annual_reports_overdue: Changed = Field(description="AR-1/AR-5 → registry.annual_report.overdue.v1 (CR-6.1)")
    grades_expired: Changed = Field(description="EVAL-4/EVAL-8")
    qualifications_expired: Changed
    name_reservations_expired: Changed = Field(description="REG-6 reservation validity")
    applications_overdue: Changed = Field(description="REG-2 60-day clock")
    suspensions_ended: Changed = Field(description="限期停止活动 periods over: for the bureau to restore")
    disclosures_missing: Changed = Field(default_factory=lambda: Changed(count=0, sample=[]),
                                         description="DISC-3 → registry.disclosure.missing.v1")
