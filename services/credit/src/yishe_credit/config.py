"""credit settings: kit sections plus every [M]/[P] number of the credit rules; env prefix `CREDIT_`.

Nested options use `__`, e.g. `CREDIT_MAILING__MIN_GAP_DAYS=20`, `CREDIT_RISK__WEIGHTS='{"penalties_3y": 20}'`.
"""

from __future__ import annotations

from decimal import Decimal
from functools import lru_cache
from typing import Literal

from pydantic import BaseModel, Field, field_validator
from pydantic_settings import SettingsConfigDict

from yishe_kit.settings import ServiceSettings

from .workday.defaults import DEFAULT_YEARS, YearDays


class ListingRules(BaseModel):
    """活动异常名录 / 严重违法失信名单 (CR-6..CR-13)."""

    notice_days: int = Field(default=0, ge=0, description="[P] days between an event-driven trigger and its "
                             "listing by the daily job (the draft required prior written notice, no period given)")
    small_fine_threshold: Decimal = Decimal("50000")  # CR-6.5 / CR-12.4 [S]
    repeat_penalty_count: int = 2  # CR-12.5 [S]
    repeat_penalty_years: int = 3  # CR-12.5 [S]
    auto_removal_months: int = 6  # CR-10 [D]+[S]
    escalation_years: int = 2  # CR-11 [S]
    serious_removal_years: int = 2  # CR-13 [S]
    removal_working_days: int = 5  # CR-10 [D]; CR-13 by analogy [M]
    decided_by: str = "登记管理机关"  # default deciding authority shown publicly (CR-14)
    exemption_enabled: bool = False  # CR-8 [D]: "not directly responsible" exemption, off by default


class MailingRules(BaseModel):
    """CR-7 two unsigned mailings: interval between the two letters [D]+[M] (draft 20–60, final text believed 15–30)."""

    min_gap_days: int = 15
    max_gap_days: int = 30


class RecordingRules(BaseModel):
    working_days: int = 5  # CR-5 [S]


class ObjectionRules(BaseModel):
    """CR-15 [P] workflow, all in working days."""

    accept_working_days: int = 5
    verify_working_days: int = 20
    correct_working_days: int = 5


class CalendarSettings(BaseModel):
    """Working-day calendar (CR-5): public holidays and make-up working days (调休) per year."""

    years: dict[int, YearDays] = Field(default_factory=lambda: dict(DEFAULT_YEARS),
                                       description="configured years are added to (or replace) the default tables")

    @field_validator("years", mode="after")
    @classmethod
    def _over_defaults(cls, years: dict[int, YearDays]) -> dict[int, YearDays]:
        return {**DEFAULT_YEARS, **years}


class ColourRules(BaseModel):
    """CODE-3 [P]."""

    mode: Literal["five", "three"] = "five"  # three: orange → yellow, blue → green
    blue_enabled: bool = True
    blue_min_grade: Literal["3A", "4A", "5A"] = "3A"
    blue_penalty_free_years: int = 3
    downgrade_warning_months: int = 12


class PublicationRules(BaseModel):
    """CR-17 信用中国 publication windows: (min months, max months) per tier, and the tier of each list."""

    tiers: dict[str, tuple[int, int]] = Field(
        default_factory=lambda: {"轻微": (0, 3), "一般": (3, 12), "严重": (12, 36)})
    list_tiers: dict[str, str] = Field(default_factory=lambda: {"abnormal": "一般", "serious": "严重"})


class ComplaintRules(BaseModel):
    """投诉举报 [P]: triage and handling deadlines in working days, per kind."""

    triage_working_days: int = 5
    handling_working_days: dict[str, int] = Field(
        default_factory=lambda: {"complaint": 15, "report": 30, "illegal_org": 30})


class InspectionRules(BaseModel):
    """双随机一公开 [P]."""

    default_ratio: Decimal = Decimal("0.05")
    inspectors_per_org: int = 2
    rectification_days: int = 30
    stratum_division_digits: int = 6


class ZombieRules(BaseModel):
    """僵尸型 candidates [P]: how many of the three signals must hold."""

    missed_report_years: int = 2
    inactive_months: int = 24
    min_signals: int = 3


DEFAULT_RISK_WEIGHTS: dict[str, float] = {
    "overdue_annual_reports": 15, "complaints_open": 5, "complaints_substantiated_12m": 10,
    "penalties_3y": 15, "grade_expired": 5, "leader_changes_12m": 5, "unsigned_mailings": 10,
    "rectification_overdue": 15, "abnormal_listed": 20, "serious_listed": 40, "annual_report_not_passed": 10,
}


class RiskRules(BaseModel):
    """风险预警 [P]: points per unit of each factor; the score is the weighted sum, capped at `cap`."""

    weights: dict[str, float] = Field(default_factory=lambda: dict(DEFAULT_RISK_WEIGHTS),
                                      description="configured weights override the defaults one by one")
    warning_threshold: float = 30
    cap: float = 100

    @field_validator("weights", mode="after")
    @classmethod
    def _over_defaults(cls, weights: dict[str, float]) -> dict[str, float]:
        return {**DEFAULT_RISK_WEIGHTS, **weights}


class IndicatorRules(BaseModel):
    """CR-20 share of organisations with sound governance and no bad credit record."""

    targets: dict[str, Decimal] = Field(default_factory=lambda: {
        "温州 (seed 000, >80% by 2025)": Decimal("0.80"), "龙港 (seed 003, >90% by 2025)": Decimal("0.90")})
    penalty_free_years: int = 3
    division_digits: int = 6


class Settings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="CREDIT_", env_nested_delimiter="__")
    service_name: str = "credit"
    listing: ListingRules = Field(default_factory=ListingRules)
    mailing: MailingRules = Field(default_factory=MailingRules)
    recording: RecordingRules = Field(default_factory=RecordingRules)
    objection: ObjectionRules = Field(default_factory=ObjectionRules)
    calendar: CalendarSettings = Field(default_factory=CalendarSettings)
    colour: ColourRules = Field(default_factory=ColourRules)
    publication: PublicationRules = Field(default_factory=PublicationRules)
    complaint: ComplaintRules = Field(default_factory=ComplaintRules)
    inspection: InspectionRules = Field(default_factory=InspectionRules)
    zombie: ZombieRules = Field(default_factory=ZombieRules)
    risk: RiskRules = Field(default_factory=RiskRules)
    indicator: IndicatorRules = Field(default_factory=IndicatorRules)


@lru_cache
def get_settings() -> Settings:
    return Settings()
