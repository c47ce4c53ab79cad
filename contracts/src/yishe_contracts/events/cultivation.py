"""Events owned by the cultivation service (培育发展: township platforms, community activity, incubation, rewards)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import ClassVar

from pydantic import Field

from ..envelope import Event
from ..spec import spec


class InactiveListed(Event):
    """A community organisation recorded no activity in a year (PLAT-5 / PLAT-1 组织培育: ≥ 1 activity a year): put on
    the year's inactive list. Registered ones carry their USCC, filed (备案) ones their filing number."""

    subject_name: ClassVar[str] = "cultivation.inactive.listed.v1"

    uscc: str | None = Field(default=None, min_length=18, max_length=18)
    filing_no: str | None = None
    name: str
    division_code: str
    township_code: str | None = None
    year: int = Field(ge=2000, le=2100)
    activities_in_year: int = Field(ge=0)
    last_activity_on: date | None = None
    rule: str = "PLAT-5"
    listed_on: date

    def cloudevent_subject(self) -> str | None:
        return self.uscc or self.filing_no


class PlatformBand(StrEnum):
    """PLAT-2 bands of the 100-point rubric."""

    DEMONSTRATION = "示范型"
    WELL_DEVELOPED = "完善型"
    IMPROVEMENT = "提升型"


class PlatformAssessed(Event):
    """A township/street service platform's yearly assessment was recorded (PLAT-1..3)."""

    subject_name: ClassVar[str] = "cultivation.platform.assessed.v1"

    platform_id: int
    township_code: str = Field(min_length=9, max_length=9)
    operator_uscc: str | None = Field(default=None, min_length=18, max_length=18)
    year: int = Field(ge=2000, le=2100)
    total: Decimal = Field(ge=0, le=100)
    band: PlatformBand
    assessed_on: date

    def cloudevent_subject(self) -> str | None:
        return self.operator_uscc


class RewardStatus(StrEnum):
    PAYABLE = "payable"
    APPROVED = "approved"
    PAID = "paid"


class RewardChanged(Event):
    """A first-time 3A/4A/5A reward (EVAL-10) was created, approved or paid."""

    subject_name: ClassVar[str] = "cultivation.reward.changed.v1"

    uscc: str = Field(min_length=18, max_length=18)
    reward_id: int
    grade: str = Field(pattern=r"^[3-5]A$")
    amount: Decimal = Field(ge=0, decimal_places=2)
    status: RewardStatus
    rule: str = "EVAL-10"
    changed_on: date


SPECS = (
    spec(InactiveListed, ("credit", "gateway"),
         "A community organisation had no activity in a year and was put on the inactive list (PLAT-5)."),
    spec(PlatformAssessed, ("gateway",), "A township/street platform's yearly assessment (PLAT-1..3)."),
    spec(RewardChanged, ("gateway",), "A first-time 3A/4A/5A reward was created, approved or paid (EVAL-10)."),
)
