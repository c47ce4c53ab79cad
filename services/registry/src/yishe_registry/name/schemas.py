from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field

from ..kinds import CommunityClass, DirectCategory, OrgTypeIn


class NameRequest(BaseModel):
    """A full `name`, or the parts the builder joins (REG-6/REG-7): division + [township [+ village]] + 字号 +
    sector + form."""

    model_config = ConfigDict(str_strip_whitespace=True)

    org_type: OrgTypeIn
    division_code: str = Field(description="6-digit GB/T 2260 code of the registering authority")
    community_class: CommunityClass | None = Field(None, description="community social organisations (REG-12)")
    township: str | None = Field(None, max_length=50, description="乡镇（街道）, community organisations")
    village: str | None = Field(None, max_length=50, description="村（社区）, optional")
    name: str | None = Field(None, max_length=100)
    division_name: str | None = Field(None, max_length=50, description="overrides the configured division name")
    trade_name: str | None = Field(None, max_length=30, description="字号")
    sector: str | None = Field(None, max_length=50, description="行业（领域）")
    form: str | None = Field(None, max_length=20, description="organisational form, e.g. 协会, 服务中心, 基金会")
    category: DirectCategory | None = Field(None, description="direct-registration category (REG-8)")


class SimilarName(BaseModel):
    name: str
    holder_type: str
    holder_id: str
    score: float


class NameCheckRead(BaseModel):
    name: str
    name_normalised: str
    problems: list[dict] = Field(description="failed REG-6/REG-7 rules (field, rule, message_zh, message)")
    taken_by: str | None = Field(None, description="holder type of the exact same name (REG-6)")
    similar: list[SimilarName]
    industry_conflicts: list[SimilarName] = Field(description="REG-8 一业一会 in this division and sector")
    available: bool


class ReservationCreate(NameRequest):
    applicant: str = Field(min_length=1, max_length=200, description="申请人 (founding person or unit)")
    acknowledge_similar: bool = Field(False, description="staff saw the similar names and reserve anyway")


class ReservationRead(BaseModel):
    reservation_id: int
    name: str
    org_type: str
    division_code: str
    community_class: str | None
    category: str | None
    sector: str | None
    applicant: str
    status: str
    reserved_on: date
    expires_on: date
    used_by: str | None
    created_at: datetime
    similar: list[SimilarName] = Field(default_factory=list)


class ReleaseRequest(BaseModel):
    reason: str = Field(min_length=1, max_length=500)
