from __future__ import annotations

from datetime import date

from pydantic import BaseModel, ConfigDict, Field


class WorkforceIn(BaseModel):
    """Head counts; negative numbers are refused by rule (WORK-1), not by schema."""

    full_time_staff: int = Field(le=1_000_000, description="专职工作人员")
    certified_social_workers: int = Field(le=1_000_000, description="持证社工 (included in or beside full-time staff)")
    volunteers: int = Field(0, le=10_000_000, description="志愿者")


class WorkforceFiling(WorkforceIn):
    """A change filing of the current figures (kept current between annual reports); default year: this year."""

    model_config = ConfigDict(str_strip_whitespace=True)

    year: int | None = Field(None, ge=2000, le=2100)


class WorkforceRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    uscc: str
    division_code: str
    year: int
    full_time_staff: int
    certified_social_workers: int
    volunteers: int
    source: str
    reported_on: date


class DivisionIndicator(BaseModel):
    division_code: str
    organisations: int = Field(description="active or suspended organisations registered by the end of the year")
    reporting: int = Field(description="organisations with figures for the year")
    with_full_time_staff: int = Field(description="WORK-2: organisations with ≥ 1 full-time staff member")
    without_full_time_staff: int = Field(description="organisations without one (not reporting counts as without)")
    full_time_staff: int
    certified_social_workers: int
    volunteers: int


class WorkforceIndicators(BaseModel):
    year: int
    division: str | None
    organisations: int
    reporting: int
    with_full_time_staff: int
    share_with_full_time_staff: float | None = Field(description="WORK-2 target: 1.0 (every organisation) by 2025")
    full_time_staff: int
    certified_social_workers: int
    volunteers: int
    certified_share_of_full_time: float | None
    city_target_full_time_staff: int = Field(description="WORK-3: 60,000 in Wenzhou by 2025 (seed 000)")
    divisions: list[DivisionIndicator]
