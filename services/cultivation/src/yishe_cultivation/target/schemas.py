from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, Field

Comparator = Literal[">", ">=", "<", "<="]


class IndicatorRead(BaseModel):
    code: str
    label: str
    unit: str = Field(description="家 | 个 | 人 | % | 级")
    source: str = Field(description="the owning service whose data it is computed from")
    events: list[str] = Field(description="the events cultivation keeps its read model from")
    status: str = Field(description="live | pending (its source event is not available yet)")
    note: str | None = None


class ProfileRead(BaseModel):
    code: str
    label: str
    division_code: str
    sources: list[str]
    years: dict[int, dict[str, tuple[Comparator, Decimal]]]


class TargetSetCreate(BaseModel):
    division_code: str = Field(pattern=r"^\d{2,9}$")
    year: int = Field(ge=2000, le=2100)
    label: str | None = Field(default=None, max_length=200)
    profile: str | None = Field(default=None, description="take the targets of a ready profile for this year")
    targets: dict[str, tuple[Comparator, Decimal]] = Field(
        default_factory=dict, description="indicator → [comparator, value]; overrides the profile's")
    purchase_spending: Decimal | None = Field(default=None, ge=0,
                                              description="新增公共服务支出中政府购买服务部分（元）")


class TargetSetUpdate(BaseModel):
    label: str | None = Field(default=None, max_length=200)
    targets: dict[str, tuple[Comparator, Decimal]] | None = None
    purchase_spending: Decimal | None = Field(default=None, ge=0)


class TargetSetRead(BaseModel):
    set_id: int
    division_code: str
    year: int
    label: str
    profile: str | None
    targets: dict[str, tuple[Comparator, Decimal]]
    purchase_spending: Decimal | None
    created_by: str


class ProgressRow(BaseModel):
    indicator: str
    label: str
    unit: str
    value: Decimal | None
    numerator: Decimal | None = None
    denominator: Decimal | None = None
    comparator: Comparator | None
    target: Decimal | None
    met: bool | None
    progress: Decimal | None = Field(description="value ÷ target × 100 (capped at 100), when there is a target")
    source: str
    status: str
    note: str | None = None
    records: str = Field(description="the drill-down: the records behind the value")


class Progress(BaseModel):
    division: str
    year: int
    as_of: date
    set_id: int | None
    set_label: str | None
    rows: list[ProgressRow]


class BreakdownRow(BaseModel):
    division_code: str
    value: Decimal | None
    numerator: Decimal | None = None
    denominator: Decimal | None = None


class Breakdown(BaseModel):
    indicator: str
    label: str
    unit: str
    year: int
    division: str
    rows: list[BreakdownRow]


class TrendPoint(BaseModel):
    year: int
    value: Decimal | None
    target: Decimal | None
    comparator: Comparator | None
    met: bool | None


class Trend(BaseModel):
    indicator: str
    label: str
    unit: str
    division: str
    points: list[TrendPoint]


class IndicatorRecord(BaseModel):
    """One record behind an indicator value: `counted` is true when it is in the numerator (or the count)."""

    kind: str = Field(description="organisation | filing | platform | contract | base")
    key: str
    uscc: str | None = None
    filing_no: str | None = None
    name: str
    division_code: str
    township_code: str | None = None
    counted: bool = True
    detail: str | None = None
    amount: Decimal | None = None


class IndicatorRecords(BaseModel):
    indicator: str
    label: str
    division: str
    year: int
    value: Decimal | None
    total: int
    counted: int
    records: list[IndicatorRecord]
