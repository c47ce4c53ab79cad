"""Credit's event subscriptions: registry, party and procurement facts feeding records, lists and colours."""

from yishe_contracts.events.cultivation import InactiveListed
from yishe_contracts.events.party import CoverageChanged
from yishe_contracts.events.procurement import ContractAwarded, PerformanceEvaluated
from yishe_contracts.events.registry import (
    AnnualReportOverdue,
    AnnualReportReviewed,
    AnnualReportSubmitted,
    AuditFindingRecorded,
    GradeChanged,
    OrganisationChanged,
    OrganisationRegistered,
    OrganisationStatusChanged,
)
from yishe_kit.context import On

from .listing import facts as listing_facts
from .profile import consumers
from .profile import facts as profile_facts
from .record import facts as record_facts
from .zombie import service as zombie_service

RULES = (
    (OrganisationChanged, profile_facts.organisation_changed),
    (OrganisationStatusChanged, profile_facts.status_changed),
    (GradeChanged, profile_facts.grade_changed),
    (AnnualReportOverdue, record_facts.report_overdue),
    (AnnualReportSubmitted, record_facts.report_submitted),
    (AnnualReportReviewed, record_facts.report_reviewed),
    (CoverageChanged, listing_facts.coverage_changed),
    (ContractAwarded, record_facts.contract_awarded),
    (PerformanceEvaluated, record_facts.performance_evaluated),
    (AuditFindingRecorded, record_facts.audit_finding),
)


CONSUMERS = [On(OrganisationRegistered, consumers.on_organisation_registered, consumers.on_organisations_registered)]
CONSUMERS += [On(model, consumers.handler(rule)) for model, rule in RULES]
CONSUMERS.append(On(InactiveListed, consumers.plain(zombie_service.on_inactive_listed)))
