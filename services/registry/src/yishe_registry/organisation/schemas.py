from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field

from yishe_contracts.events.common import OrgType, PartyMemberStatus


class LegalRepresentative(BaseModel):
    name: str = Field(min_length=1, max_length=100)
    id_number: str | None = Field(default=None, description="居民身份证号码 (GB 11643); personal data")
    phone: str | None = Field(default=None, description="personal data")


class PartyMemberIn(BaseModel):
    name: str = Field(min_length=1, max_length=100)
    status: PartyMemberStatus = PartyMemberStatus.FULL
    id_number: str | None = None
    phone: str | None = None


class PartyMembersIn(BaseModel):
    """Party members captured at registration (三同步, PARTY-5): counts, and the list where known."""

    full_count: int = Field(default=0, ge=0, le=100000)
    probationary_count: int = Field(default=0, ge=0, le=100000)
    members: list[PartyMemberIn] = Field(default_factory=list, max_length=1000)


class OrganisationCreate(BaseModel):
    model_config = ConfigDict(str_strip_whitespace=True)

    name: str = Field(min_length=2, max_length=100)
    org_type: OrgType
    division_code: str = Field(description="6-digit GB/T 2260 code of the registering authority")
    address: str = Field(min_length=2, max_length=300)
    legal_representative: LegalRepresentative
    business_scope: str = Field(min_length=2, max_length=2000)
    supervisory_unit: str | None = Field(default=None, max_length=200)
    party_members: PartyMembersIn | None = None


class LegalRepresentativeRead(BaseModel):
    name: str
    id_number: str | None = None
    phone: str | None = None


class OrganisationRead(BaseModel):
    uscc: str
    name: str
    org_type: OrgType
    division_code: str
    address: str
    legal_representative: LegalRepresentativeRead
    business_scope: str
    supervisory_unit: str | None
    status: str
    registration_date: date
    registered_at: datetime
    party_full_members: int | None = None
    party_probationary_members: int | None = None


class HistoryRead(BaseModel):
    action: str
    actor: str
    actor_role: str
    at: datetime
    before: dict | None
    after: dict | None
    reason: str | None
