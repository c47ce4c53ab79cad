from __future__ import annotations

from datetime import date
from decimal import Decimal

from pydantic import BaseModel, Field

KINDS = {"volunteer": "志愿服务", "culture_sports": "文体活动", "public_service": "公益服务", "mutual_aid": "邻里互助",
         "governance": "社区治理", "training": "培训交流", "other": "其他"}


class ActivityCreate(BaseModel):
    uscc: str | None = Field(default=None, min_length=18, max_length=18, description="registered organisations")
    filing_no: str | None = Field(default=None, min_length=1, max_length=40, description="filed (备案) organisations")
    activity_date: date
    kind: str = Field(min_length=1, max_length=40, description=f"one of {', '.join(KINDS)} (or its Chinese label)")
    title: str | None = Field(default=None, max_length=200)
    participants: int = Field(ge=0)
    residents: int = Field(ge=0, description="residents among the participants")
    ref: str | None = Field(default=None, max_length=80, description="your reference: the same one twice is one "
                                                                     "activity")


class ActivityRead(BaseModel):
    activity_id: int
    uscc: str | None
    filing_no: str | None
    division_code: str
    township_code: str | None
    activity_date: date
    kind: str
    kind_label: str
    title: str | None
    participants: int
    residents: int
    ref: str | None
    recorded_by: str


class RowError(BaseModel):
    row: int
    field: str | None
    rule: str | None
    message_zh: str
    message: str


class ImportReport(BaseModel):
    rows: int
    imported: int
    unchanged: int
    errors: list[RowError]
    job_id: str | None = None


class RateRow(BaseModel):
    """活跃度 of one area: active ÷ all registered and filed community organisations (PLAT-5 [P])."""

    division_code: str
    level: str = Field(description="county | township | total")
    organisations: int
    active_strict: int
    active_lenient: int
    rate_strict: Decimal
    rate_lenient: Decimal
    quarter_active: list[int]
    quarter_shares: list[Decimal]
    quarter_share_met: list[bool]
    every_org_yearly: bool
    target: str | None
    met_strict: bool | None
    met_lenient: bool | None


class ActivityReport(BaseModel):
    year: int
    division: str
    quarters_considered: int
    rows: list[RateRow]
    total: RateRow


class OrgIndex(BaseModel):
    """PLAT-5 [P] 活跃指数 (0–100) with its three parts."""

    uscc: str | None
    filing_no: str | None
    name: str
    division_code: str
    township_code: str | None
    year: int
    activities: int
    quarters_active: int
    participants: int
    residents: int
    frequency_part: Decimal
    participants_part: Decimal
    residents_part: Decimal
    index: Decimal
    active_strict: bool
    active_lenient: bool
    last_activity_on: date | None


class InactiveRead(BaseModel):
    uscc: str | None
    filing_no: str | None
    name: str
    division_code: str
    township_code: str | None
    year: int
    last_activity_on: date | None
    listed_on: date | None


class PublishReport(BaseModel):
    year: int
    division: str
    listed: int
    already_listed: int
