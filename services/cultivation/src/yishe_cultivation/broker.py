"""Cultivation's event subscriptions: local read models of registry, credit, party and procurement facts."""

from yishe_contracts.events.credit import ColourChanged, CreditProfileOpened
from yishe_contracts.events.party import CoverageChanged
from yishe_contracts.events.procurement import ContractAwarded
from yishe_contracts.events.registry import (
    FilingChanged,
    GradeChanged,
    OrganisationChanged,
    OrganisationRegistered,
    OrganisationStatusChanged,
    QualificationChanged,
    WorkforceReported,
)
from yishe_kit.context import On

from .organisation import consumers
from .organisation import service as organisation_service

CONSUMERS = [
    On(OrganisationRegistered, consumers.plain(organisation_service.on_registered),
       consumers.plain_many(organisation_service.on_registered_many)),
    On(OrganisationChanged, consumers.plain(organisation_service.on_changed)),
    On(OrganisationStatusChanged, consumers.plain(organisation_service.on_status_changed)),
    On(FilingChanged, consumers.plain(organisation_service.on_filing_changed)),
    On(QualificationChanged, consumers.plain(organisation_service.on_qualification_changed)),
    On(CreditProfileOpened, consumers.plain(organisation_service.on_colour),
       consumers.plain_many(organisation_service.on_colours)),
    On(ColourChanged, consumers.plain(organisation_service.on_colour)),
    On(CoverageChanged, consumers.plain(organisation_service.on_coverage_changed)),
    On(ContractAwarded, consumers.plain(organisation_service.on_contract_awarded)),
    On(GradeChanged, consumers.on_grade_changed),
    On(WorkforceReported, consumers.plain(organisation_service.on_workforce_reported)),
]
