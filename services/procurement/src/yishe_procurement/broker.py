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
from yishe_kit.context import On

from .bidder import consumers as bidder

CONSUMERS = [
    On(OrganisationRegistered, bidder.on_organisation_registered, bidder.on_organisations_registered),
    On(CreditProfileOpened, bidder.on_credit_profile_opened, bidder.on_credit_profiles_opened),
] + [On(model, handler) for model, handler in (
    (OrganisationChanged, bidder.on_organisation_changed),
    (OrganisationStatusChanged, bidder.on_status_changed),
    (AnnualReportSubmitted, bidder.on_report_submitted),
    (AnnualReportReviewed, bidder.on_report_reviewed),
    (GradeChanged, bidder.on_grade_changed),
    (ListingChanged, bidder.on_listing_changed),
    (ColourChanged, bidder.on_colour_changed),
)]
