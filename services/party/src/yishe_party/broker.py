"""Party's event subscriptions."""

from yishe_contracts.events.registry import (
    AnnualReportSubmitted,
    CharterApproved,
    FilingChanged,
    OrganisationRegistered,
    OrganisationStatusChanged,
)
from yishe_kit.context import On

from .organisation import consumers as organisation_consumers
from .sync import consumers as sync_consumers

CONSUMERS = [
    On(OrganisationRegistered, organisation_consumers.on_organisation_registered,
       organisation_consumers.on_organisations_registered),
    On(OrganisationStatusChanged, organisation_consumers.on_status_changed),
    On(FilingChanged, organisation_consumers.on_filing_changed),
    On(AnnualReportSubmitted, sync_consumers.on_annual_report_submitted),
    On(CharterApproved, sync_consumers.on_charter_approved),
]
