from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field

from yishe_contracts.events.common import OrgType

from ..kinds import CommunityClass, OrgTypeIn


class FilingLeader(BaseModel):
    name: str = Field(min_length=1, max_length=100)
    phone: str | None = Field(None, description="personal data")


class FilingCreate(BaseModel):
    """备案 of a community organisation: a full name or its parts (REG-7), its township (9-digit code) and leader."""

    model_config = ConfigDict(str_strip_whitespace=True)

    org_type: OrgTypeIn = Field(OrgType.SOCIAL_GROUP, description="the kind it would register as")
    community_class: CommunityClass
    division_code: str = Field(description="county-level GB/T 2260 code")
    township_code: str = Field(pattern=r"^\d{9}$", description="乡镇（街道）code: division code + 3 digits")
    township: str = Field(min_length=2, max_length=50, description="乡镇（街道）name")
    village: str | None = Field(None, max_length=50, description="村（社区）name")
    name: str | None = Field(None, max_length=100)
    sector: str | None = Field(None, max_length=50, description="what it does (name builder)")
    form: str | None = Field(None, max_length=20, description="group-type label, e.g. 志愿服务队")
    address: str | None = Field(None, max_length=300)
    business_scope: str = Field(min_length=2, max_length=2000)
    leader: FilingLeader
    members: int = Field(ge=1, le=1_000_000)
    guiding_party_org: str | None = Field(None, max_length=200, description="community Party organisation (PARTY-13)")


class FilingChange(BaseModel):
    model_config = ConfigDict(str_strip_whitespace=True)

    community_class: CommunityClass | None = None
    business_scope: str | None = Field(None, min_length=2, max_length=2000)
    leader: FilingLeader | None = None
    members: int | None = Field(None, ge=1, le=1_000_000)
    address: str | None = Field(None, max_length=300)
    guiding_party_org: str | None = Field(None, max_length=200)
    reason: str = Field(min_length=1, max_length=500)


class FilingCancel(BaseModel):
    reason: str = Field(min_length=1, max_length=500)


class FilingRead(BaseModel):
    filing_no: str
    name: str
    org_type: str
    community_class: str
    division_code: str
    township_code: str
    township: str
    village: str | None
    address: str | None
    business_scope: str
    leader_name: str
    leader_phone: str | None = None
    members: int
    guiding_party_org: str | None
    status: str
    uscc: str | None
    filed_on: date
    updated_at: datetime
    hint: str | None = None


class FilingPage(BaseModel):
    items: list[FilingRead]
    next_cursor: str | None
