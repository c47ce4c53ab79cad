"""Events owned by the registry service (登记管理)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal
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
    effective_field: ClassVar[str | None] = "registration_date"

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
    category: str | None = Field(default=None, description="direct-registration category (REG-8), e.g. 行业协会商会")
    sector: str | None = Field(default=None, description="行业（领域）")
    community_class: str | None = Field(default=None, description="community social organisation class (REG-12)")
    application_id: int | None = Field(default=None, description="the application it was registered from")
    source: str | None = Field(default=None, description="registration | application | import (legacy record)")


class OrganisationsImported(Event):
    """Organisations of a bulk import, registered together: the registrations of one import chunk, each exactly the
    `registry.organisation.registered.v1` a live registration would emit (`source` "import"). Consumers treat the
    event as that many registrations, each under its own event id: the bulk event's id and the item's position
    (`yishe_contracts.envelope.bulk_items`), so a redelivery dedupes item by item and the change feed and every
    history show one registration per organisation. Live registrations keep the single event."""

    subject_name: ClassVar[str] = "registry.organisations.imported.v1"
    bulk_item: ClassVar[type[Event] | None] = OrganisationRegistered
    bulk_field: ClassVar[str] = "organisations"

    batch_id: int | None = Field(default=None, description="the registry's import batch they came with")
    organisations: list[OrganisationRegistered] = Field(min_length=1)


class OrganisationChanged(Event):
    """A change registration (变更登记) was recorded: which fields changed, before and after (REG-2: within 30 days)."""

    subject_name: ClassVar[str] = "registry.organisation.changed.v1"
    effective_field: ClassVar[str | None] = "change_date"

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
    effective_field: ClassVar[str | None] = "effective_date"

    uscc: str = Field(min_length=18, max_length=18)
    from_status: OrganisationStatus
    to_status: OrganisationStatus
    rule: str = Field(description="rule id the decision rests on, e.g. REG-2, CR-12.7")
    reason: str
    effective_date: date
    decided_by: str
    suspended_until: date | None = Field(default=None, description="限期停止活动: the last day of the suspension")


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
    effective_field: ClassVar[str | None] = "reviewed_on"

    uscc: str = Field(min_length=18, max_length=18)
    year: int = Field(ge=2000, le=2100)
    result: AnnualReportResult
    reviewed_on: date


class FirstInstanceDecision(StrEnum):
    PASSED = "passed"
    RETURNED = "returned"


class AnnualReportFirstInstanceReviewed(Event):
    """The supervisory unit's first-instance review (初审) of an annual report: passed on to the bureau, or returned to
    the organisation (AR-1, AR-5: a returned report counts as not reported until it is resubmitted and passes)."""

    subject_name: ClassVar[str] = "registry.annual_report.first_instance_reviewed.v1"
    effective_field: ClassVar[str | None] = "decided_on"

    uscc: str = Field(min_length=18, max_length=18)
    year: int = Field(ge=2000, le=2100)
    decision: FirstInstanceDecision
    decided_on: date
    deadline: date = Field(description="the bureau's deadline the report must be through by (AR-1)")


class AnnualReportDisclosed(Event):
    """A reviewed annual report was published (AR-1, 基金会条例 Art 38): the public can read it from now on."""

    subject_name: ClassVar[str] = "registry.annual_report.disclosed.v1"
    effective_field: ClassVar[str | None] = "disclosed_on"

    uscc: str = Field(min_length=18, max_length=18)
    year: int = Field(ge=2000, le=2100)
    result: AnnualReportResult
    disclosed_on: date


class AnnualReportOverdue(Event):
    """The daily job found an annual report not submitted by its deadline (AR-1, AR-5 → CR-6.1)."""

    subject_name: ClassVar[str] = "registry.annual_report.overdue.v1"

    uscc: str = Field(min_length=18, max_length=18)
    year: int = Field(ge=2000, le=2100)
    deadline: date
    as_of: date
    rule: str = "AR-1"

    def effective_on(self) -> date | None:
        """Overdue from the day after the deadline, whichever day the job noticed it (AR-1)."""
        return self.deadline + timedelta(days=1)


class GradeChange(StrEnum):
    AWARDED = "awarded"
    DOWNGRADED = "downgraded"
    REVOKED = "revoked"
    EXPIRED = "expired"


class GradeChanged(Event):
    """An evaluation grade (评估等级, 1A–5A) was awarded, downgraded, revoked or expired (EVAL-3, -4, -7, -8)."""

    subject_name: ClassVar[str] = "registry.grade.changed.v1"
    effective_field: ClassVar[str | None] = "changed_on"

    uscc: str = Field(min_length=18, max_length=18)
    change: GradeChange
    grade: str | None = Field(default=None, pattern=r"^[1-5]A$", description="the grade now in force, if any")
    previous_grade: str | None = Field(default=None, pattern=r"^[1-5]A$")
    valid_from: date | None = None
    valid_until: date | None = None
    rule: str
    changed_on: date

    def effective_on(self) -> date | None:
        """An award takes effect on its first valid day (EVAL-8), an expiry the day after the last one."""
        return _validity_effective(self.change.value, self.valid_from, self.valid_until, self.changed_on)


def _validity_effective(change: str, valid_from: date | None, valid_until: date | None, changed_on: date) -> date:
    if change in ("awarded", "granted") and valid_from is not None:
        return valid_from
    if change == "expired" and valid_until is not None:
        return valid_until + timedelta(days=1)
    return changed_on


class CharterApproved(Event):
    """A charter (章程) version was approved; whether it carries the Party-building clause (PARTY-11)."""

    subject_name: ClassVar[str] = "registry.charter.approved.v1"
    effective_field: ClassVar[str | None] = "approved_on"

    uscc: str = Field(min_length=18, max_length=18)
    version: int = Field(ge=1)
    party_building_clause: bool
    approved_on: date


class CharterSubmitted(Event):
    """A new charter version (修改章程) was submitted for approval; whether it carries the Party-building clause
    (PARTY-11: without it the version cannot be approved)."""

    subject_name: ClassVar[str] = "registry.charter.submitted.v1"
    effective_field: ClassVar[str | None] = "submitted_on"

    uscc: str = Field(min_length=18, max_length=18)
    version: int = Field(ge=1)
    party_building_clause: bool
    submitted_on: date


class CharterRejected(Event):
    """A submitted charter version was refused (不予核准); the version approved before stays in force."""

    subject_name: ClassVar[str] = "registry.charter.rejected.v1"
    effective_field: ClassVar[str | None] = "rejected_on"

    uscc: str = Field(min_length=18, max_length=18)
    version: int = Field(ge=1)
    party_building_clause: bool
    rejected_on: date


class PartyReminderOccasion(StrEnum):
    CHANGE = "change"  # 变更登记
    CHARTER = "charter"  # 章程报送
    ANNUAL_REPORT = "annual_report"  # 年度工作报告
    MATTER = "matter"  # 重大事项备案


class PartyReminderDelivered(Event):
    """PARTY-5 (Xuecheng): an organisation party reported as required to be covered and not covered was reminded,
    once, at its next change, charter, annual report or matter filing; the next reminder waits for party's next
    report (`party.coverage.changed.v1`). No Party-membership data."""

    subject_name: ClassVar[str] = "registry.party_reminder.delivered.v1"
    effective_field: ClassVar[str | None] = "delivered_on"

    uscc: str = Field(min_length=18, max_length=18)
    occasion: PartyReminderOccasion
    delivered_on: date
    rule: str = "PARTY-5"


class NameReservationStatus(StrEnum):
    RESERVED = "reserved"
    IN_APPLICATION = "in_application"
    USED = "used"
    RELEASED = "released"
    EXPIRED = "expired"


class NameReservationChanged(Event):
    """A name reservation (名称预留) was made, taken into an application, used, released or expired (REG-6)."""

    subject_name: ClassVar[str] = "registry.name_reservation.changed.v1"
    effective_field: ClassVar[str | None] = "changed_on"

    reservation_id: int
    name: str
    org_type: OrgType
    division_code: str
    status: NameReservationStatus
    expires_on: date = Field(description="the reservation's last valid day")
    changed_on: date

    def cloudevent_subject(self) -> str | None:
        return f"name_reservation:{self.reservation_id}"

    def effective_on(self) -> date | None:
        """An expiry takes effect the day after the last valid day, whichever day the daily job recorded it."""
        if self.status == NameReservationStatus.EXPIRED:
            return self.expires_on + timedelta(days=1)
        return self.changed_on


class ApplicationStatus(StrEnum):
    UNDER_REVIEW = "under_review"  # 受理, 联合审查
    PUBLICITY = "publicity"  # 公示
    APPROVED = "approved"  # ready to register
    REGISTERED = "registered"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"


class ApplicationChanged(Event):
    """An application for registration moved: a joint-review step (REG-9, REG-11), publicity, registration,
    rejection, or the 60-day clock ran out (REG-2)."""

    subject_name: ClassVar[str] = "registry.application.changed.v1"

    application_id: int
    name: str
    org_type: OrgType
    division_code: str
    status: ApplicationStatus
    step: str | None = Field(default=None, description="e.g. supervisory_review, political_review, interview")
    decision: str | None = None
    rule: str
    decision_due: date = Field(description="REG-2: 60 days after the complete application was received")
    overdue: bool = False
    uscc: str | None = Field(default=None, min_length=18, max_length=18, description="once registered")
    changed_at: datetime

    def cloudevent_subject(self) -> str | None:
        return self.uscc or f"application:{self.application_id}"


class FilingStatus(StrEnum):
    FILED = "filed"
    CHANGED = "changed"
    CANCELLED = "cancelled"
    REGISTERED = "registered"


class FilingChanged(Event):
    """A community social organisation was filed (备案) with its township/street, changed, cancelled, or went on to
    register (REG-12). Filed organisations have a filing number and no USCC."""

    subject_name: ClassVar[str] = "registry.filing.changed.v1"
    effective_field: ClassVar[str | None] = "changed_on"

    filing_no: str
    name: str
    community_class: str
    division_code: str
    township_code: str
    status: FilingStatus
    uscc: str | None = Field(default=None, min_length=18, max_length=18, description="once registered")
    changed_on: date

    def cloudevent_subject(self) -> str | None:
        return self.uscc or self.filing_no


class QualificationKind(StrEnum):
    CHARITY = "charity"  # 慈善组织认定
    PUBLIC_FUNDRAISING = "public_fundraising"  # 公开募捐资格
    TAX_EXEMPTION = "tax_exemption"  # 免税资格
    PRETAX_DEDUCTION = "pretax_deduction"  # 公益性捐赠税前扣除资格


class QualificationChange(StrEnum):
    GRANTED = "granted"
    EXPIRED = "expired"
    REVOKED = "revoked"


class QualificationChanged(Event):
    """A qualification was granted, expired or revoked (e.g. pre-tax deduction: 3 years)."""

    subject_name: ClassVar[str] = "registry.qualification.changed.v1"
    effective_field: ClassVar[str | None] = "changed_on"

    uscc: str = Field(min_length=18, max_length=18)
    qualification: QualificationKind
    change: QualificationChange
    valid_from: date | None = None
    valid_until: date | None = None
    rule: str
    changed_on: date

    def effective_on(self) -> date | None:
        """A grant takes effect on its first valid day, an expiry the day after the last one."""
        return _validity_effective(self.change.value, self.valid_from, self.valid_until, self.changed_on)


class MatterFiled(Event):
    """An organisation filed a major matter (重大事项备案)."""

    subject_name: ClassVar[str] = "registry.matter.filed.v1"
    effective_field: ClassVar[str | None] = "occurred_on"

    uscc: str = Field(min_length=18, max_length=18)
    filing_id: int
    matter_type: str
    occurred_on: date
    filed_on: date


class BranchChange(StrEnum):
    REGISTERED = "registered"
    DEREGISTERED = "deregistered"


class BranchChanged(Event):
    """A branch or representative office (分支机构/代表机构) was registered or deregistered (REG-2, REG-3)."""

    subject_name: ClassVar[str] = "registry.branch.changed.v1"
    effective_field: ClassVar[str | None] = "changed_on"

    uscc: str = Field(min_length=18, max_length=18)
    branch_id: int
    name: str
    branch_kind: str
    change: BranchChange
    changed_on: date


class AuditOccasion(StrEnum):
    """The four occasions the registration authority commissions and pays a third-party audit for (seed 003)."""

    INSPECTION = "inspection"  # "双随机"抽查
    EVALUATION = "evaluation"  # 等级评估
    LEGAL_REP_CHANGE = "legal_rep_change"  # 法人变更: the outgoing legal representative's 离任审计
    DEREGISTRATION = "deregistration"  # 注销登记: 清算审计


class AuditFindingRecorded(Event):
    """An adverse finding of a filed third-party audit report (TPA-5); credit records it with its evidence (CR-4)."""

    subject_name: ClassVar[str] = "registry.audit.finding_recorded.v1"
    effective_field: ClassVar[str | None] = "reported_on"

    uscc: str = Field(min_length=18, max_length=18)
    engagement_id: int
    finding_id: int
    occasion: AuditOccasion
    audit_firm: str
    severity: str = Field(description="moderate | serious (adverse findings only)")
    summary: str
    evidence: list[str] = Field(default_factory=list, description="document references, never personal data")
    report_ref: str
    reported_on: date


class DisclosurePublished(Event):
    """An organisation's yearly financial disclosure (income and spending by source) was published (DISC-1)."""

    subject_name: ClassVar[str] = "registry.disclosure.published.v1"
    effective_field: ClassVar[str | None] = "published_on"

    uscc: str = Field(min_length=18, max_length=18)
    year: int
    total_income: Decimal = Field(decimal_places=2)
    total_spending: Decimal = Field(decimal_places=2)
    source: str = Field(description="organisation | annual_report")
    audit_report_ref: str | None = None
    published_on: date


class DisclosureMissing(Event):
    """A disclosure due for money received (DISC-2) was not published by its deadline (DISC-3): a finding for staff."""

    subject_name: ClassVar[str] = "registry.disclosure.missing.v1"

    uscc: str = Field(min_length=18, max_length=18)
    division_code: str
    year: int
    reasons: list[str] = Field(description="what made it due: purchase | venture | grant | donation")
    deadline: date
    as_of: date
    rule: str = "DISC-3"

    def effective_on(self) -> date | None:
        """Missing from the day after its deadline, whichever day the job noticed it (DISC-3)."""
        return self.deadline + timedelta(days=1)


class WorkforceReported(Event):
    """An organisation's workforce figures for a year, from its annual report or a change filing (WORK-1)."""

    subject_name: ClassVar[str] = "registry.workforce.reported.v1"
    effective_field: ClassVar[str | None] = "reported_on"

    uscc: str = Field(min_length=18, max_length=18)
    division_code: str
    year: int
    full_time_staff: int = Field(ge=0)
    certified_social_workers: int = Field(ge=0)
    volunteers: int = Field(ge=0)
    source: str = Field("annual_report", description="annual_report | change")
    reported_on: date | None = None


ALL = ("party", "credit", "procurement", "cultivation", "gateway")
SPECS = (
    spec(OrganisationRegistered, ALL, "An organisation was registered and issued its USCC."),
    spec(OrganisationsImported, ALL,
         "Organisations registered by one chunk of a bulk import (each item a registration as the single event)."),
    spec(OrganisationChanged, ("credit", "procurement", "cultivation", "gateway"),
         "A change registration was recorded."),
    spec(OrganisationStatusChanged, ALL,
         "Registration status changed (注销, 简易注销, 撤销, 吊销, 限期停止活动, restored)."),
    spec(AnnualReportSubmitted, ("credit", "party", "procurement", "gateway"), "An annual report was submitted."),
    spec(AnnualReportReviewed, ("credit", "procurement", "gateway"), "An annual report's review result (AR-4)."),
    spec(AnnualReportOverdue, ("credit", "gateway"), "An annual report is overdue (CR-6.1 trigger)."),
    spec(AnnualReportFirstInstanceReviewed, ("gateway",),
         "The supervisory unit passed or returned an annual report in first instance (AR-1, AR-5)."),
    spec(AnnualReportDisclosed, ("gateway",), "A reviewed annual report was published (AR-1)."),
    spec(GradeChanged, ("credit", "procurement", "cultivation", "gateway"), "An evaluation grade changed."),
    spec(CharterApproved, ("party", "gateway"), "A charter version was approved (PARTY-11 clause checked)."),
    spec(CharterSubmitted, ("gateway",), "A charter version was submitted for approval (PARTY-11 clause noted)."),
    spec(CharterRejected, ("gateway",), "A charter version was refused approval."),
    spec(PartyReminderDelivered, ("gateway",),
         "An organisation not covered by Party building was reminded at its next filing (PARTY-5)."),
    spec(NameReservationChanged, ("gateway",), "A name reservation was made, used, released or expired."),
    spec(ApplicationChanged, ("gateway",), "An application moved a step of joint review, publicity or registration."),
    spec(FilingChanged, ("party", "cultivation", "gateway"),
         "A community organisation was filed (备案) with its township."),
    spec(QualificationChanged, ("credit", "procurement", "cultivation", "gateway"),
         "A qualification was granted, expired, revoked."),
    spec(MatterFiled, ("credit", "gateway"), "A major matter was filed (重大事项备案)."),
    spec(BranchChanged, ("gateway",), "A branch or representative office was registered or deregistered."),
    spec(AuditFindingRecorded, ("credit", "gateway"),
         "An adverse finding of a third-party audit commissioned by the authority (TPA-5, CR-4)."),
    spec(DisclosurePublished, ("gateway",), "A yearly financial disclosure was published (DISC-1)."),
    spec(DisclosureMissing, ("gateway",), "A financial disclosure due for money received is missing (DISC-3)."),
    spec(WorkforceReported, ("cultivation", "gateway"),
         "Workforce figures (full-time staff, certified social workers, volunteers) for a year (WORK-1)."),
)
