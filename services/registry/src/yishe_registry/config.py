"""Registry settings: kit sections plus registry-specific options; env prefix `REGISTRY_`.

Rule parameters marked [M]/[P] in RULES.md are configuration (`REGISTRY_RULES__<NAME>`), never constants.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from functools import lru_cache

from pydantic import BaseModel, Field
from pydantic_settings import SettingsConfigDict

from yishe_kit.limits import LimitSettings
from yishe_kit.settings import ServiceSettings

WENZHOU_DIVISIONS = {
    "330300": "温州市", "330302": "温州市鹿城区", "330303": "温州市龙湾区", "330304": "温州市瓯海区",
    "330305": "温州市洞头区", "330324": "永嘉县", "330326": "平阳县", "330327": "苍南县", "330328": "文成县",
    "330329": "泰顺县", "330381": "瑞安市", "330382": "乐清市", "330383": "龙港市",
}


class RulesSettings(BaseModel):
    """The numbers of RULES.md sections 3–5 that a bureau may have to change."""

    # names (REG-6, REG-7, REG-8)
    name_reservation_days: int = Field(180, ge=1, description="validity of a name reservation [M]")
    similar_name_threshold: float = Field(0.8, gt=0, le=1, description="Dice similarity of name cores [P]")
    division_names: dict[str, str] = Field(default_factory=lambda: dict(WENZHOU_DIVISIONS),
                                           description="GB/T 2260 code → the division name a name starts with")
    # procedure (REG-2, REG-9, REG-11)
    statutory_decision_days: int = Field(60, ge=1, description="REG-2/REG-3/REG-4: decision within 60 days")
    leader_notice_days: int = Field(5, ge=0, description="REG-11 任职前公示 length, UNVERIFIED [M]")
    registration_publicity_days: int = Field(5, ge=0, description="公示 before registration [M]")
    change_deadline_days: int = Field(30, ge=1, description="REG-2: change within 30 days of consent")
    deregistration_deadline_days: int = Field(15, ge=1, description="REG-2: within 15 days after liquidation")
    simple_deregistration_notice_days: int = Field(45, ge=0, description="简易注销 public notice [M]")
    # leaders (REG-10)
    leader_max_age: int = Field(70, ge=18)
    leader_max_consecutive_terms: int = Field(2, ge=1)
    leader_term_years: int = Field(5, ge=1)
    leader_limited_roles: list[str] = Field(default_factory=lambda: [
        "会长", "副会长", "秘书长", "理事长", "副理事长", "院长", "主任", "校长"])
    # conditions (REG-1, REG-3, REG-4, REG-5, REG-12)
    social_group_min_individual_members: int = 50
    social_group_min_unit_members: int = 30
    social_group_min_mixed_members: int = 50
    social_group_min_funds_national: Decimal = Decimal("100000")
    social_group_min_funds_local: Decimal = Decimal("30000")
    pne_min_funds: Decimal = Field(Decimal("30000"), description="REG-3: locally set 开办资金 [M]")
    foundation_min_fund_national_public: Decimal = Decimal("8000000")
    foundation_min_fund_local_public: Decimal = Decimal("4000000")
    foundation_min_fund_non_public: Decimal = Decimal("2000000")
    community_foundation_min_fund: Decimal = Field(Decimal("500000"), description="REG-5 Wenzhou")
    foundation_min_directors: int = 5
    foundation_max_directors: int = 25
    community_min_members: int = Field(10, description="REG-12 lowered threshold for 成熟型 [M]")
    community_min_funds: Decimal = Field(Decimal("0"), description="REG-12 lowered threshold [M]")
    party_clause_keywords: list[str] = Field(default_factory=lambda: ["中国共产党", "党组织", "党的建设", "党建"])
    # annual reports (AR-1..AR-3)
    ar_supervisor_deadline: str = Field("03-31", description="AR-1 MM-DD: to the supervisory unit")
    ar_bureau_deadline: str = Field("05-31", description="AR-1/AR-2 MM-DD: to the registration authority")
    ar_foundation_deadline: str = Field("03-31", description="AR-1 MM-DD: foundations")
    ar_new_organisation_exempt_kinds: list[str] = Field(default_factory=lambda: ["民办非企业单位"])
    ar_new_organisation_exempt_months: int = Field(6, description="AR-3")
    # evaluation (EVAL)
    eval_new_rules_from: date = Field(date(2026, 3, 1), description="EVAL-8")
    eval_validity_years: int = 5
    eval_min_registered_years: int = Field(2, description="EVAL-2")
    # qualifications
    pretax_deduction_years: int = 3
    tax_exemption_years: int = Field(5, description="[M]")
    public_fundraising_min_registered_years: int = Field(2, description="[M]")
    pretax_deduction_min_grade: int = Field(3, description="EVAL-6: 3A and above")
    # audits, disclosure, workforce, subsidies (RULES.md section 10; seeds 000, 001, 003)
    disclosure_deadline: str = Field("06-30", description="DISC-3 MM-DD of the next year: disclosure deadline [P]")
    subsidy_graduate_window_years: int = Field(2, ge=0, description="SUB-1: hired within 2 years of graduating")
    subsidy_max_months: int = Field(12, ge=1, description="SUB-2: months of social insurance per graduate")
    workforce_city_target: int = Field(60000, ge=0, description="WORK-3: full-time staff in Wenzhou by 2025")


class Settings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="REGISTRY_", env_nested_delimiter="__")
    VIEW_NEUTRAL = ServiceSettings.VIEW_NEUTRAL | {"import_chunk_rows", "import_cache_mib", "import_max_bytes",
                                                   "upload_dir", "feed_settle_seconds"}
    service_name: str = "registry"
    uscc_body_prefix: str = "MJ"
    rules: RulesSettings = Field(default_factory=RulesSettings)
    feed_settle_seconds: float = Field(2.0, ge=0, description="change feed hides entries younger than this "
                                       "(PostgreSQL sequences may commit out of order)")
    import_chunk_rows: int = Field(1000, ge=1, description="rows checked and written together; two chunks are in "
                                   "memory at once (measured at 300,000 rows: 1,000 a chunk peaked at 169 MB RSS, "
                                   "2,000 at 189 MB, at the same rows/s)")
    import_cache_mib: int = Field(16, ge=1, le=1024, description="SQLite page cache of an import's connection, "
                                  "MiB (the process's memory: 16 keeps a 1,000,000-row import under 200 MB RSS)")
    import_max_bytes: int = Field(2 * 1024**3, ge=1, description="largest upload an import job takes (413 beyond)")
    upload_dir: str | None = Field(None, description="where import uploads are spooled (default: the system temp)")
    limits: LimitSettings = Field(
        default_factory=lambda: LimitSettings(upload_paths=["/v1/exchange/imports"],
                                              stream_paths=["/v1/exchange/import-jobs"]),
        description="the synchronous import takes files up to upload_max_body_bytes; import jobs stream theirs "
                    "(import_max_bytes)")


@lru_cache
def get_settings() -> Settings:
    return Settings()
