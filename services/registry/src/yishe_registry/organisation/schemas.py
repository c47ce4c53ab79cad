from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from yishe_contracts.events.common import OrgType, PartyMemberStatus
from yishe_contracts.identifiers import normalise_id_number

from ..kinds import CommunityClass, DirectCategory, OrgTypeIn


class LegalRepresentative(BaseModel):
    name: str = Field(min_length=1, max_length=100)
    id_number: str | None = Field(default=None, description="居民身份证号码 (GB 11643); personal data; full-width "
                                  "digits and a final `x` are taken as their canonical spelling (ID-1)")
    phone: str | None = Field(default=None, description="personal data")

    @field_validator("id_number", mode="before")
    @classmethod
    def _canonical_id(cls, v: object) -> object:
        return normalise_id_number(v) if isinstance(v, str) else v


class PartyMemberIn(BaseModel):
    name: str = Field(min_length=1, max_length=100)
    status: PartyMemberStatus = PartyMemberStatus.FULL
    id_number: str | None = None
    phone: str | None = None

    @field_validator("id_number", mode="before")
    @classmethod
    def _canonical_id(cls, v: object) -> object:
        return normalise_id_number(v) if isinstance(v, str) else v


class PartyMembersIn(BaseModel):
    """Party members captured at registration (三同步, PARTY-5): counts, and the list where known."""

    full_count: int = Field(default=0, ge=0, le=100000)
    probationary_count: int = Field(default=0, ge=0, le=100000)
    members: list[PartyMemberIn] = Field(default_factory=list, max_length=1000)


class KindFacts(BaseModel):
    """What the conditions of registration by kind are decided on (REG-1, REG-3, REG-4, REG-5, REG-8, REG-12): the
    same fields, validated the same way, on an application and on a direct registration."""

    model_config = ConfigDict(str_strip_whitespace=True)

    org_type: OrgTypeIn
    division_code: str = Field(description="6-digit GB/T 2260 code of the registering authority")
    community_class: CommunityClass | None = Field(None, description="community social organisations (REG-12)")
    category: DirectCategory | None = Field(None, description="direct-registration category (REG-8); without one a "
                                            "supervisory unit is required")
    sector: str | None = Field(None, max_length=100, description="行业（领域）; an industry association's sector "
                               "(REG-8 一业一会)")
    supervisory_unit: str | None = Field(None, max_length=200, description="业务主管单位 (双重管理)")
    individual_members: int = Field(0, ge=0, le=10_000_000, description="个人会员 (REG-1, REG-12)")
    unit_members: int = Field(0, ge=0, le=1_000_000, description="单位会员 (REG-1, REG-12)")
    activity_funds: Decimal = Field(ge=0, max_digits=14, decimal_places=2,
                                    description="活动资金 / 开办资金 / 原始基金 (CNY; REG-1, REG-3, REG-4, REG-5)")
    public_fundraising: bool = Field(False, description="foundation with public fundraising (REG-4)")
    community_development_foundation: bool = Field(False, description="社区发展基金会 (REG-5)")
    directors: int | None = Field(None, ge=0, le=1000, description="foundation board size (REG-4)")


class OrganisationCreate(KindFacts):
    """A direct registration (fast path): the name rules of a reservation (REG-6, REG-7, 一业一会 REG-8, similar
    names) and the conditions of an application by kind (REG-1/3/4/5/8/12, the legal representative REG-2/REG-4)
    are checked on it. Joint review (REG-9), leaders (REG-10, REG-11) and the charter (PARTY-11) need the
    application route."""

    name: str = Field(min_length=2, max_length=100)
    township: str | None = Field(None, max_length=50, description="乡镇（街道） in a community organisation's name "
                                 "(REG-7)")
    village: str | None = Field(None, max_length=50, description="村（社区）, optional (REG-7)")
    address: str = Field(min_length=2, max_length=300)
    legal_representative: LegalRepresentative = Field(description="a social group's or foundation's needs its ID "
                                                      "number (REG-2, REG-4: one legal representative, one group)")
    business_scope: str = Field(min_length=2, max_length=2000)
    party_members: PartyMembersIn | None = None
    acknowledge_similar: bool = Field(False, description="staff saw the similar names (REG-6) and register anyway")


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
    disclosures: list[dict] | None = Field(None, description="published financial disclosures (DISC-1), newest "
                                           "first: money by source and the audit report, never personal data")


class HistoryRead(BaseModel):
    action: str
    actor: str
    actor_role: str
    at: datetime
    before: dict | None
    after: dict | None
    reason: str | None
    history_id: int | None = None
