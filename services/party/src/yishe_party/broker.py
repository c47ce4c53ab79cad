"""Party's event subscriptions."""

from yishe_contracts.events.registry import (
    AnnualReportSubmitted,
    CharterApproved,
    FilingChanged,
    OrganisationRegistered,
    OrganisationStatusChanged,
)
from yishe_kit.bus import Subscription
from yishe_kit.outbox import Outbox

from .config import Settings
from .organisation import consumers as organisation_consumers
from .sync import consumers as sync_consumers


def subscriptions(settings: Settings, outbox: Outbox) -> list[Subscription]:
    return [
        Subscription(OrganisationRegistered.subject_name, OrganisationRegistered,
                     organisation_consumers.on_organisation_registered(outbox, settings), "party"),
        Subscription(OrganisationStatusChanged.subject_name, OrganisationStatusChanged,
                     organisation_consumers.on_status_changed(settings), "party"),
        Subscription(FilingChanged.subject_name, FilingChanged, organisation_consumers.on_filing_changed(settings),
                     "party"),
        Subscription(AnnualReportSubmitted.subject_name, AnnualReportSubmitted,
                     sync_consumers.on_annual_report_submitted, "party"),
        Subscription(CharterApproved.subject_name, CharterApproved, sync_consumers.on_charter_approved, "party"),
    ]
