"""Procurement's event subscriptions: registry and credit facts feeding the bidder read model (PROC-4, PROC-9)."""

from yishe_contracts.events.credit import ColourChanged, CreditProfileOpened, ListingChanged
from yishe_contracts.events.registry import (
    AnnualReportReviewed,
    AnnualReportSubmitted,
    GradeChanged,
    OrganisationChanged,
    OrganisationRegistered,
    OrganisationStatusChanged,
)
from yishe_kit.bus import Subscription
from yishe_kit.outbox import Outbox

from .bidder import consumers as bidder
from .config import Settings

HANDLERS = (
    (OrganisationRegistered, bidder.on_organisation_registered),
    (OrganisationChanged, bidder.on_organisation_changed),
    (OrganisationStatusChanged, bidder.on_status_changed),
    (AnnualReportSubmitted, bidder.on_report_submitted),
    (AnnualReportReviewed, bidder.on_report_reviewed),
    (GradeChanged, bidder.on_grade_changed),
    (CreditProfileOpened, bidder.on_credit_profile_opened),
    (ListingChanged, bidder.on_listing_changed),
    (ColourChanged, bidder.on_colour_changed),
)


def subscriptions(settings: Settings, outbox: Outbox) -> list[Subscription]:
    return [Subscription(model.subject_name, model, handler, "procurement") for model, handler in HANDLERS]
