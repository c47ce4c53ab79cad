"""Credit's event subscriptions: registry, party and procurement facts feeding records, lists and colours."""

from yishe_contracts.events.party import CoverageChanged
from yishe_contracts.events.procurement import ContractAwarded, PerformanceEvaluated
from yishe_contracts.events.registry import (
    AnnualReportOverdue,
    AnnualReportReviewed,
    AnnualReportSubmitted,
    GradeChanged,
    OrganisationChanged,
    OrganisationRegistered,
    OrganisationStatusChanged,
)
from yishe_kit.bus import Subscription
from yishe_kit.outbox import Outbox

from .config import Settings
from .listing import facts as listing_facts
from .profile import consumers
from .profile import facts as profile_facts
from .record import facts as record_facts

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
)


def subscriptions(settings: Settings, outbox: Outbox) -> list[Subscription]:
    subs = [Subscription(OrganisationRegistered.subject_name, OrganisationRegistered,
                         consumers.on_organisation_registered(outbox), "credit")]
    subs += [Subscription(model.subject_name, model, consumers.handler(rule, outbox, settings), "credit")
             for model, rule in RULES]
    return subs
