"""Handlers for registry and credit events that feed the bidder read model."""

from __future__ import annotations

from yishe_contracts.events.credit import ColourChanged, CreditProfileOpened, ListingChanged
from yishe_contracts.events.registry import (
    AnnualReportReviewed,
    AnnualReportSubmitted,
    GradeChanged,
    OrganisationChanged,
    OrganisationRegistered,
    OrganisationStatusChanged,
)
from yishe_kit.context import BatchContext, HandlerContext

from . import service


async def on_organisation_registered(ctx: HandlerContext, event: OrganisationRegistered) -> None:
    await service.record_registration(ctx.session, event, ctx.envelope.time)


async def on_organisations_registered(ctx: BatchContext) -> None:
    await service.record_registrations(ctx.session, [(event, envelope.time) for event, envelope in ctx.items])


async def on_credit_profiles_opened(ctx: BatchContext) -> None:
    await service.record_credit_profiles(ctx.session, [(event, envelope.time) for event, envelope in ctx.items])


async def on_organisation_changed(ctx: HandlerContext, event: OrganisationChanged) -> None:
    await service.record_change(ctx.session, event, ctx.envelope.time)


async def on_status_changed(ctx: HandlerContext, event: OrganisationStatusChanged) -> None:
    await service.record_status(ctx.session, event, ctx.envelope.time)


async def on_credit_profile_opened(ctx: HandlerContext, event: CreditProfileOpened) -> None:
    await service.record_credit_profile(ctx.session, event, ctx.envelope.time)


async def on_listing_changed(ctx: HandlerContext, event: ListingChanged) -> None:
    await service.record_listing(ctx.session, event, ctx.envelope.time)


async def on_colour_changed(ctx: HandlerContext, event: ColourChanged) -> None:
    await service.record_colour(ctx.session, event, ctx.envelope.time)


async def on_report_submitted(ctx: HandlerContext, event: AnnualReportSubmitted) -> None:
    await service.record_report_submitted(ctx.session, event)


async def on_report_reviewed(ctx: HandlerContext, event: AnnualReportReviewed) -> None:
    await service.record_report_reviewed(ctx.session, event)


async def on_grade_changed(ctx: HandlerContext, event: GradeChanged) -> None:
    await service.record_grade(ctx.session, event)
