from __future__ import annotations

from datetime import date
from decimal import Decimal

from pydantic import BaseModel, Field, field_validator


class PlatformCreate(BaseModel):
    township_code: str = Field(pattern=r"^\d{9}$", description="乡镇（街道）9-digit division code")
    name: str = Field(min_length=2, max_length=200)
    operator_uscc: str | None = Field(default=None, min_length=18, max_length=18)
    space_m2: Decimal | None = Field(default=None, ge=0)
    full_time_social_workers: int = Field(default=0, ge=0)
    physical_operation: bool = False
    operating_since: date | None = None


class PlatformUpdate(BaseModel):
    name: str | None = Field(default=None, min_length=2, max_length=200)
    operator_uscc: str | None = Field(default=None, min_length=18, max_length=18)
    space_m2: Decimal | None = Field(default=None, ge=0)
    full_time_social_workers: int | None = Field(default=None, ge=0)
    physical_operation: bool | None = None
    operating_since: date | None = None

    @field_validator("name", "full_time_social_workers", "physical_operation")
    @classmethod
    def _not_null(cls, value: object) -> object:
        """Left out = unchanged; an explicit null would blank a required column (issue 12: was a server error).
        operator_uscc, space_m2 and operating_since may be cleared with null."""
        if value is None:
            raise ValueError("不能为空（不修改请省略此字段） / must not be null (leave it out to keep it)")
        return value


class PlatformRead(BaseModel):
    platform_id: int
    township_code: str
    division_code: str
    name: str
    operator_uscc: str | None
    operator_name: str | None
    operator_local: bool | None
    space_m2: Decimal | None
    full_time_social_workers: int
    physical_operation: bool
    operating_since: date | None
    latest_year: int | None = None
    latest_total: Decimal | None = None
    latest_band: str | None = None
    warnings: list[str] = Field(default_factory=list)


class RubricItemRead(BaseModel):
    code: str
    label: str
    points: int
    requirements: str


class ItemScore(BaseModel):
    code: str = Field(description="rubric item code (GET /v1/platforms/rubric)")
    score: Decimal = Field(ge=0)
    evidence: list[str] = Field(default_factory=list, description="attachment ids or links")
    note: str | None = None


class AssessmentIn(BaseModel):
    items: list[ItemScore] = Field(min_length=1)
    assessor: str = Field(min_length=1, max_length=200)
    assessed_on: date | None = None


class ItemScoreRead(BaseModel):
    code: str
    label: str
    points: int
    score: Decimal
    evidence: list[str]
    note: str | None = None


class AssessmentRead(BaseModel):
    assessment_id: int
    platform_id: int
    township_code: str
    year: int
    total: Decimal
    band: str
    items: list[ItemScoreRead]
    assessor: str
    assessed_on: date
    recorded_by: str


class OperationRow(BaseModel):
    division_code: str
    platforms: int
    in_operation: int
    share: Decimal
    target: Decimal | None
    target_year: int | None
    met: bool | None


class OperationReport(BaseModel):
    """PLAT-4: share of township platforms in physical operation per county against 50 / 80 / 100 %."""

    year: int
    division: str
    rows: list[OperationRow]
    total: OperationRow
