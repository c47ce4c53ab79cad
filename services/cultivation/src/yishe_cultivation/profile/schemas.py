from __future__ import annotations

from datetime import date
from decimal import Decimal

from pydantic import BaseModel


class PlatformRef(BaseModel):
    platform_id: int
    name: str
    township_code: str
    band: str | None
    assessed_year: int | None
    operator: bool = False
    """The organisation operates this platform."""


class ActivityRef(BaseModel):
    year: int
    activities: int
    index: Decimal
    active_strict: bool
    active_lenient: bool
    last_activity_on: date | None


class IncubationRef(BaseModel):
    base_id: int
    base_name: str
    level: str
    entered_on: date
    exited_on: date | None
    exit_kind: str | None


class CultivationProfile(BaseModel):
    """Cultivation's part of the 一社一码 profile: the platform an organisation belongs to (or operates), its activity
    index this year, its incubation stays and its first-time grade rewards."""

    uscc: str
    community: bool
    township_code: str | None
    platform: PlatformRef | None
    activity: ActivityRef | None
    incubation: list[IncubationRef]
    rewards: list[dict]
