"""Events owned by the registry service (登记管理)."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import ClassVar

from pydantic import BaseModel, ConfigDict, Field

from ..envelope import Event
from ..spec import spec
from .common import OrgType, PartyMemberStatus


class PartyMemberCaptured(BaseModel):
    """A Party member captured at registration (PARTY-5). Personal data: only the party service keeps it."""

    model_config = ConfigDict(frozen=True, extra="ignore")
    name: str
    status: PartyMemberStatus
    id_number: str | None = None
    phone: str | None = None


class OrganisationRegistered(Event):
    """An organisation was registered and received its USCC."""

    subject_name: ClassVar[str] = "registry.organisation.registered.v1"

    uscc: str = Field(min_length=18, max_length=18)
    name: str
    org_type: OrgType
    division_code: str = Field(description="GB/T 2260 code of the registering authority")
    address: str
    legal_representative: str
    business_scope: str
    supervisory_unit: str | None = None
    registered_at: datetime
    registration_date: date
    status: str = "active"
    party_full_members: int = Field(ge=0)
    party_probationary_members: int = Field(ge=0)
    party_members: list[PartyMemberCaptured] = Field(default_factory=list)


class OrganisationChanged(Event):
    """A change registration (变更登记) was recorded: which fields changed, before and after (REG-2: within 30 days)."""

    subject_name: ClassVar[str] = "registry.organisation.changed.v1"

    uscc: str = Field(min_length=18, max_length=18)
    changes: dict[str, dict[str, str | int | None]] = Field(
        description="field → {\"before\": …, \"after\": …}; personal data never appears here")
    changed_at: datetime
    change_date: date


class OrganisationStatus(StrEnum):
    ACTIVE = "active"
    DEREGISTERED = "deregistered"  # 注销
    SIMPLE_DEREGISTERED = "simple_deregistered"  # 简易注销
    REGISTRATION_CANCELLED = "registration_cancelled"  # 撤销成立登记
    CERTIFICATE_REVOKED = "certificate_revoked"  # 吊销登记证书
    SUSPENDED = "suspended"  # 限期停止活动


class OrganisationStatusChanged(Event):
    """An organisation's registration status changed (注销 / 简易注销 / 撤销 / 吊销 / 限期停止活动 / restored)."""

    subject_name: ClassVar[str] = "registry.organisation.status_changed.v1"

    uscc: str = Field(min_length=18, max_length=18)
    from_status: OrganisationStatus
    to_status: OrganisationStatus
    rule: str = Field(description="rule id the decision rests on, e.g. REG-2, CR-12.7")
    reason: str
    effective_date: date
    decided_by: str


class AnnualReportResult(StrEnum):
    PASSED = "合格"
    BASICALLY_PASSED = "基本合格"
    FAILED = "不合格"


class AnnualReportSubmitted(Event):
    """An annual work report (年度工作报告) was submitted (AR-1, AR-2); includes whether the Party section is filled."""

    subject_name: ClassVar[str] = "registry.annual_report.submitted.v1"

    uscc: str = Field(min_length=18, max_length=18)
    year: int = Field(ge=2000, le=2100, description="the year reported on")
    submitted_at: datetime
    deadline: date
    late: bool
    party_building_section: bool = Field(description="AR-6 / PARTY-5: the Party-building section is present")


class AnnualReportReviewed(Event):
    """The bureau's review result of an annual report (AR-4)."""

    subject_name: ClassVar[str] = "registry.annual_report.reviewed.v1"

    uscc: str = Field(min_length=18, max_length=18)
    year: int = Field(ge=2000, le=2100)
    result: AnnualReportResult
    reviewed_on: date


class AnnualReportOverdue(Event):
    """The daily job found an annual report not submitted by its deadline (AR-1, AR-5 → CR-6.1)."""

    subject_name: ClassVar[str] = "registry.annual_report.overdue.v1"

    uscc: str = Field(min_length=18, max_length=18)
    year: int = Field(ge=2000, le=2100)
    deadline: date
    as_of: date
    rule: str = "AR-1"


class GradeChange(StrEnum):
    AWARDED = "awarded"
    DOWNGRADED = "downgraded"
    REVOKED = "revoked"
    EXPIRED = "expired"


class GradeChanged(Event):
    """An evaluation grade (评估等级, 1A–5A) was awarded, downgraded, revoked or expired (EVAL-3, -4, -7, -8)."""

    subject_name: ClassVar[str] = "registry.grade.changed.v1"

    uscc: str = Field(min_length=18, max_length=18)
    change: GradeChange
    grade: str | None = Field(default=None, pattern=r"^[1-5]A$", description="the grade now in force, if any")
    previous_grade: str | None = Field(default=None, pattern=r"^[1-5]A$")
    valid_from: date | None = None
    valid_until: date | None = None
    rule: str
    changed_on: date


class CharterApproved(Event):
    """A charter (章程) version was approved; whether it carries the Party-building clause (PARTY-11)."""

    subject_name: ClassVar[str] = "registry.charter.approved.v1"

    uscc: str = Field(min_length=18, max_length=18)
    version: int = Field(ge=1)
    party_building_clause: bool
    approved_on: date


ALL = ("party", "credit", "procurement", "gateway")
SPECS = (
    spec(OrganisationRegistered, ALL, "An organisation was registered and issued its USCC."),
    spec(OrganisationChanged, ("credit", "procurement", "gateway"), "A change registration was recorded."),
    spec(OrganisationStatusChanged, ALL,
         "Registration status changed (注销, 简易注销, 撤销, 吊销, 限期停止活动, restored)."),
    spec(AnnualReportSubmitted, ("credit", "party", "procurement", "gateway"), "An annual report was submitted."),
    spec(AnnualReportReviewed, ("credit", "procurement", "gateway"), "An annual report's review result (AR-4)."),
    spec(AnnualReportOverdue, ("credit", "gateway"), "An annual report is overdue (CR-6.1 trigger)."),
    spec(GradeChanged, ("credit", "procurement", "gateway"), "An evaluation grade changed."),
    spec(CharterApproved, ("party", "gateway"), "A charter version was approved (PARTY-11 clause checked)."),
)
