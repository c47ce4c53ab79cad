"""party settings: kit sections plus party-specific options; env prefix `PARTY_`.

Every amount, period and threshold below comes from a seed document or is a [P] proposal (RULES.md §8):
configuration with the seed's figure as its default, never a constant in the rules.
"""

from __future__ import annotations

from decimal import Decimal
from functools import lru_cache

from pydantic import BaseModel, Field, SecretStr, model_validator
from pydantic_settings import SettingsConfigDict

from yishe_contracts.events.party import FormationRoute
from yishe_kit.settings import ServiceSettings

DEV_ID_HASH_KEY = "dev-only-party-id-hash-key"


class FundingSettings(BaseModel):
    """PARTY-8 / PARTY-9 amounts in yuan (Wenzhou, seed 000 item 18)."""

    demonstration_one_off: Decimal = Decimal("3000")
    per_member_per_year: Decimal = Decimal("300")
    count_probationary_members: bool = True
    """预备党员 are Party members: counted for the per-member activity funds unless set to false [P]."""
    secretary_level_minimums: dict[int, Decimal] = Field(default_factory=lambda: {
        1: Decimal("24000"), 2: Decimal("12000"), 3: Decimal("6000"), 4: Decimal("4000"), 5: Decimal("2000")})


class ResponsibleBody(BaseModel):
    """A Party organisation responsible for social organisations' Party work (PARTY-7)."""

    id: str
    name: str


class LocalityAffiliation(BaseModel):
    """How one locality (a division-code prefix) assigns reporting lines (隶属关系, PARTY-7).

    `{division}` and `{supervisory_unit}` in ids and names are filled in for the organisation.
    """

    label: str = "温州模式"
    supervisory_unit: ResponsibleBody = ResponsibleBody(id="supervisory:{supervisory_unit}",
                                                       name="{supervisory_unit}党组织（分级管理）")
    trade_association: ResponsibleBody = ResponsibleBody(id="{division}:federation",
                                                        name="工商联或行业管理部门党组织")
    direct_with_party_org: ResponsibleBody = ResponsibleBody(id="{division}:joint-committee",
                                                            name="社会组织联合党委")
    direct_without_party_org: ResponsibleBody = ResponsibleBody(id="{division}:locality", name="属地党组织")
    community: ResponsibleBody = ResponsibleBody(id="{division}:community", name="社区（村）党组织")
    direct_with_party_org_by_locality: bool = False
    """Wenzhou lets a directly registered organisation with a Party organisation be managed by the locality instead
    of the joint Party committee; true chooses the locality."""


class Settings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="PARTY_", env_nested_delimiter="__")
    service_name: str = "party"
    capture_task_days: int = Field(default=30, ge=0)
    """Days allowed to complete Party-member capture after registration (PARTY-5) [P]: configuration."""
    formation_days: int = Field(default=90, ge=0)
    """Days to reach the required route after it changes later than registration (PARTY-1..3) [P]."""
    coverage_grace_days: int = Field(default=0, ge=0)
    """Days after the capture/formation deadline before an uncovered organisation is flagged (PARTY-5, CR-6.2) [P]."""
    credit_required_routes: list[FormationRoute] = Field(default_factory=lambda: [FormationRoute.OWN_ORGANISATION])
    """Routes whose missing Party organisation is `required=True` in CoverageChanged, i.e. CR-6.2 for credit [P]."""
    joint_branch_max_units: int = Field(default=5, ge=2)
    """A joint Party branch normally covers at most 5 units (PARTY-2, seed 004)."""
    joint_branch_division_digits: int = Field(default=6, ge=2, le=6)
    """Units of one joint branch share this many leading division-code digits (6 = same county/district) [P]."""
    instructor_max_organisations: int = Field(default=5, ge=1)
    """Default number of organisations one instructor (党建工作指导员) looks after [P]."""
    instructor_match_digits: int = Field(default=4, ge=2, le=6)
    """Automatic instructor assignment only picks talent whose division shares this prefix (4 = same city) [P]."""
    term_years: dict[str, int] = Field(default_factory=lambda: {"branch": 3, "general_branch": 3, "committee": 5})
    """Term of office by organisation level (党支部/党总支 3 years, 基层党委 5 years) [M]: re-election due dates."""
    funding: FundingSettings = Field(default_factory=FundingSettings)
    indicator_points: dict[str, int] = Field(default_factory=lambda: {
        "coverage": 40, "capture": 10, "charter_clause": 15, "annual_report_section": 15, "cross_appointment": 10,
        "secretary_level": 10})
    """Points of the Party-building evaluation indicator (PARTY-5: an important indicator at evaluation) [P]."""
    affiliation: dict[str, LocalityAffiliation] = Field(default_factory=lambda: {"": LocalityAffiliation()})
    """Per-locality reporting lines (PARTY-7), keyed by division-code prefix; the longest matching prefix wins."""
    id_hash_key: SecretStr = SecretStr(DEV_ID_HASH_KEY)
    """HMAC key for the keyed hash of ID numbers (personal data is never stored raw)."""

    @model_validator(mode="after")
    def _no_placeholder_key_outside_dev(self) -> Settings:
        # The keyed hash only protects ID numbers while the key is secret: a known key allows a dictionary attack.
        key = self.id_hash_key.get_secret_value()
        if not key:
            raise ValueError("PARTY_ID_HASH_KEY must not be empty")
        if self.env != "dev" and key == DEV_ID_HASH_KEY:
            raise ValueError("PARTY_ID_HASH_KEY must be set to a real secret outside env=dev")
        if "" not in self.affiliation:
            self.affiliation[""] = LocalityAffiliation()
        return self


@lru_cache
def get_settings() -> Settings:
    return Settings()
