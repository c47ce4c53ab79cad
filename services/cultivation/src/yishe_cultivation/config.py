"""cultivation settings: kit sections plus the seeds' figures as defaults; env prefix `CULTIVATION_`.

Every amount, weight and threshold below comes from a seed document or is a [P] proposal (RULES.md §9, §10,
EVAL-10): configuration with the seed's figure as its default, never a constant in the rules.
"""

from __future__ import annotations

from decimal import Decimal
from functools import lru_cache

from pydantic import BaseModel, Field
from pydantic_settings import SettingsConfigDict

from yishe_kit.settings import ServiceSettings


class RubricItem(BaseModel):
    code: str
    label: str
    points: int = Field(gt=0)
    requirements: str = ""


def _rubric() -> list[RubricItem]:
    """PLAT-1: the 100-point rubric of seed 002's annex."""
    return [
        RubricItem(code="physical_operation", label="实体运作", points=15,
                   requirements="固定办公和活动场所，一般不少于300平方米；合理布局，整合利用党群服务中心等阵地"),
        RubricItem(code="professional_operation", label="专业运营", points=10,
                   requirements="独立法人专业社会组织运营；非本地区机构须成立2年及以上且评估等级不低于3A级；配备专职社工"),
        RubricItem(code="dedicated_funds", label="专项资金", points=10,
                   requirements="承接购买服务、资助奖励、社会捐赠；有条件的依托社区发展基金会设立专项基金"),
        RubricItem(code="party_leadership", label="党建引领", points=10,
                   requirements="党建指导员和管理人员；党员先锋岗；党群咨询；“红社”服务品牌"),
        RubricItem(code="cultivation", label="组织培育", points=12,
                   requirements="入驻出壳制度；重点培育名单；每年至少1次活动、30%以上每季度至少1次；联系清单；活跃指数测评"),
        RubricItem(code="hub_role", label="枢纽作用", points=18,
                   requirements="每年一次需求调研形成问题清单和需求清单；至少每年一次资源对接；宣传推广"),
        RubricItem(code="professional_services", label="专业服务", points=20,
                   requirements="季度交流会和公益讲座；骨干培训；依需求清单设计项目；每个项目周期跟进不少于3次；公益创投"),
        RubricItem(code="public_assessment", label="社会评价", points=5, requirements="居民综合评价"),
    ]


class PlatformSettings(BaseModel):
    rubric: list[RubricItem] = Field(default_factory=_rubric)
    demonstration_min: Decimal = Decimal("90")
    """PLAT-2: ≥ 90 示范型."""
    well_developed_min: Decimal = Decimal("75")
    """PLAT-2: 75 ≤ s < 90 完善型; below 提升型."""
    outside_operator_min_years: int = 2
    """PLAT-1 专业运营: an operator from outside the area is ≥ 2 years old …"""
    outside_operator_min_grade: int = 3
    """… and graded ≥ 3A."""
    local_prefix_digits: int = 6
    """An operator registered under the same leading division digits as the township is local (6 = county) [P]."""
    min_space_m2: Decimal = Decimal("300")
    """PLAT-1 实体运作: usually ≥ 300 m² (shown as a warning, not a refusal: the seed says 一般)."""
    operation_targets: dict[int, Decimal] = Field(default_factory=lambda: {
        2021: Decimal("50"), 2022: Decimal("80"), 2023: Decimal("100")})
    """PLAT-4: share of township platforms in physical operation by the end of each year (%)."""


class ActivityIndexWeights(BaseModel):
    """PLAT-5 [P]: 活跃指数 = 40 % frequency + 40 % participants per activity (against the area median) + 20 %
    residents' share of participants."""

    frequency: Decimal = Decimal("40")
    participants: Decimal = Decimal("40")
    residents: Decimal = Decimal("20")
    frequency_cap_per_quarter: Decimal = Decimal("3")
    """Activities per quarter at which the frequency part is full."""


class ActivitySettings(BaseModel):
    weights: ActivityIndexWeights = Field(default_factory=ActivityIndexWeights)
    quarter_share_min: Decimal = Decimal("30")
    """PLAT-1 组织培育: ≥ 30 % of community organisations active in every quarter."""
    activity_targets: dict[int, str] = Field(default_factory=lambda: {2022: ">50", 2023: ">=60"})
    """PLAT-4: county average 活跃度 > 50 % by end-2022, ≥ 60 % by end-2023."""
    import_sync_rows: int = Field(default=500, ge=1)
    """An import up to this many rows is answered at once; a longer one runs as a job (202)."""


class RewardSettings(BaseModel):
    """EVAL-10: first-time 3A/4A/5A one-off rewards in yuan (Longgang), per locality (division-code prefix; the
    longest matching prefix wins)."""

    amounts: dict[str, dict[str, Decimal]] = Field(default_factory=lambda: {
        "": {"3A": Decimal("10000"), "4A": Decimal("20000"), "5A": Decimal("30000")}})


class IncubationSettings(BaseModel):
    """PARTY-4 / seeds 000, 001: the cultivation system's levels (four in Wenzhou, five with Sichuan's profile)."""

    profile: str = "wenzhou"
    levels: dict[str, list[tuple[str, str]]] = Field(default_factory=lambda: {
        "wenzhou": [("city_park", "市级社会组织孵化园"), ("county_park", "县级社会组织孵化园"),
                    ("township_station", "乡镇（街道）社会工作站"), ("village_space", "村（社区）服务空间")],
        "sichuan": [("province_base", "省级孵化基地"), ("city_park", "市级孵化基地"), ("county_park", "县级孵化基地"),
                    ("township_station", "乡镇（街道）孵化站"), ("village_space", "村（社区）孵化点")],
    })


class Settings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="CULTIVATION_", env_nested_delimiter="__")
    service_name: str = "cultivation"
    platform: PlatformSettings = Field(default_factory=PlatformSettings)
    activity: ActivitySettings = Field(default_factory=ActivitySettings)
    reward: RewardSettings = Field(default_factory=RewardSettings)
    incubation: IncubationSettings = Field(default_factory=IncubationSettings)
    community_foundation_keyword: str = "社区发展基金会"
    """A foundation whose name contains this is a community development foundation (seed 000 target 50) [P]."""
    healthy_colours: list[str] = Field(default_factory=lambda: ["green", "blue"])
    """Colours counted as healthy (无不良信用记录, seed 000 > 80 %) [P]."""


@lru_cache
def get_settings() -> Settings:
    return Settings()
