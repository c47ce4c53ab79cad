from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

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


class LeaderIn(BaseModel):
    """A leader (负责人) for REG-10: age from the ID number or birth date, consecutive terms including this one."""

    model_config = ConfigDict(str_strip_whitespace=True)

    name: str = Field(min_length=1, max_length=100)
    role: str = Field(min_length=1, max_length=30, description="e.g. 会长, 副会长, 秘书长, 理事长")
    id_number: str | None = Field(None, description="personal data")
    birth_date: date | None = None
    term_start: date | None = Field(None, description="defaults to the registration or change date")
    consecutive_terms: int = Field(1, ge=1, le=20, description="terms in a row including the new one")
    appointed: bool = Field(False, description="an appointed (聘任) secretary-general is not term-limited")
    approved_exception: bool = Field(False, description="REG-10 exception approved by vote, supervisory unit and "
                                     "registration authority")
    exception_note: str | None = Field(None, max_length=500)


class LegalRepresentativeRead(BaseModel):
    name: str
    id_number: str | None = None
    phone: str | None = None


class LeaderRead(BaseModel):
    name: str
    role: str
    id_number: str | None = None
    birth_date: date | None = None
    term_start: date
    term_end: date
    consecutive_terms: int
    appointed: bool
    approved_exception: bool
    current: bool


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
    community_class: str | None = None
    category: str | None = None
    sector: str | None = None
    activity_funds: Decimal | None = None
    grade: str | None = None
    status_since: date | None = None
    suspended_until: date | None = None
    application_id: int | None = None
    filing_no: str | None = None
    source: str | None = None


class HistoryRead(BaseModel):
    action: str
    actor: str
    actor_role: str
    at: datetime
    before: dict | None
    after: dict | None
    reason: str | None
    history_id: int | None = None
