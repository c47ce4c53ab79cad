"""procurement settings: kit sections plus procurement-specific options; env prefix `PROCUREMENT_`.

Every figure marked [M] or [P] in RULES.md is configuration here, never a constant in the rules.
"""

from __future__ import annotations

from decimal import Decimal
from functools import lru_cache

from pydantic import BaseModel, Field
from pydantic_settings import SettingsConfigDict

from yishe_kit.settings import ServiceSettings


class EligibilitySettings(BaseModel):
    """PROC-4 undertaker conditions as read from the local read model."""

    violation_lookback_years: int = 3
    """No major violation in the previous N years (PROC-4 item 6)."""
    annual_report_deadline: str = "05-31"
    """MM-DD by which last year's report is due (AR-1); before it, the year before last is the required one."""
    annual_report_passing_results: list[str] = Field(default_factory=lambda: ["合格", "基本合格"])
    annual_report_submitted_suffices: bool = True
    """[P] a submitted report still under review counts as filed (PROC-4: "or filed the required annual report")."""
    annual_report_exempt_months: dict[str, int] = Field(default_factory=lambda: {"民办非企业单位": 6})
    """AR-3: organisations registered at most N months before 31 Dec of the report year skip it ([V] for 民办非,
    [M] for other types: add them here once the client confirms)."""


class PreferenceSettings(BaseModel):
    """PROC-9: under equal conditions prefer 3A+ organisations and those in the recommended catalogue."""

    enabled: bool = True
    min_grade: str = "3A"
    recommended_catalogue: bool = True
    bonus_points: Decimal = Decimal("0")
    """[P] points added to a preferred bid's panel score; 0 = preference only breaks ties ("同等条件下")."""


class OcdsSettings(BaseModel):
    ocid_prefix: str = "ocds-yishe"
    """[P] the OCDS ocid prefix; a real publication registers its own `ocds-xxxxxx` prefix with the OCP."""
    publisher_name: str = "温州市民政局"
    publisher_uid: str | None = None
    """The publisher's USCC, if given (published as scheme CN-USCI)."""
    classification_scheme: str = "CN-ZDXML"
    """[P] scheme name for guidance-catalogue (指导性目录) item codes in `items[].classification`."""


class Settings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="PROCUREMENT_", env_nested_delimiter="__")
    service_name: str = "procurement"
    eligibility: EligibilitySettings = Field(default_factory=EligibilitySettings)
    preference: PreferenceSettings = Field(default_factory=PreferenceSettings)
    ocds: OcdsSettings = Field(default_factory=OcdsSettings)
    max_term_years: int = 1
    """PROC-7: a contract term is normally at most 1 year …"""
    max_extended_term_years: int = 3
    """… and up to 3 years with budget assurance for stable, continuous services (PROC-7)."""
    panel_min_members: int = 3
    """[P] smallest evaluation panel (评审小组) accepted before an award."""
    min_follow_ups: int = 3
    """PLAT-1: at least 3 project follow-ups (项目跟踪) per project cycle."""
    performance_bands: list[tuple[Decimal, str]] = Field(default_factory=lambda: [
        (Decimal("90"), "优秀"), (Decimal("80"), "良好"), (Decimal("60"), "合格"), (Decimal("0"), "不合格")])
    """[P] performance (绩效评价) result bands: the first band whose floor the score reaches."""
    venture_labour_max_ratio: Decimal = Decimal("0.5")
    """PROC-11: labour costs at most 50 % of a welfare-lottery (福彩公益金) venture grant."""
    social_org_share_target: Decimal = Decimal("0.30")
    """PROC-9: share of new public-service purchase spending bought from social organisations."""
    platform_share_target: Decimal = Decimal("0.10")
    """PROC-10: share for service platforms and community organisations (Wenzhou, 建议)."""
    disclosure_interval_months: int = 6
    """[P] PROC-12 "regularly": income/expenditure published every N months during a contract."""
    disclosure_final_days: int = 30
    """[P] days after the contract end for the final income/expenditure statement."""
    audit_report_days: int = 90
    """[P] days after the contract end for the audited financial report (财务审计报告)."""
    excluded_keywords: dict[str, list[str]] = Field(default_factory=lambda: {
        "PROC-5.3": ["施工", "建设工程", "装修", "设备购置", "采购设备", "货物采购"],
        "PROC-5.4": ["融资", "贷款", "借款", "担保"],
        "PROC-5.5": ["劳务派遣", "派遣用工", "人员招聘", "招聘工作人员", "公益性岗位"],
    })
    """PROC-5 screen of titles and descriptions: a hit refuses the item or project with that rule id."""


@lru_cache
def get_settings() -> Settings:
    return Settings()
