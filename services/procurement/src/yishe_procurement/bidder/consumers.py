"""Handlers for registry and credit events that feed the bidder read model."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from yishe_contracts.envelope import Envelope
from yishe_contracts.events.credit import ColourChanged, CreditProfileOpened, ListingChanged
from yishe_contracts.events.registry import (
    AnnualReportReviewed,
    AnnualReportSubmitted,
    GradeChanged,
    OrganisationChanged,
    OrganisationRegistered,
    OrganisationStatusChanged,
)

from . import service


async def on_organisation_registered(session: AsyncSession, event: OrganisationRegistered, env: Envelope) -> None:
    await service.record_registration(session, event, env.time)


async def on_organisation_changed(session: AsyncSession, event: OrganisationChanged, env: Envelope) -> None:
    await service.record_change(session, event, env.time)


async def on_status_changed(session: AsyncSession, event: OrganisationStatusChanged, env: Envelope) -> None:
    await service.record_status(session, event, env.time)


async def on_credit_profile_opened(session: AsyncSession, event: CreditProfileOpened, env: Envelope) -> None:
    await service.record_credit_profile(session, event, env.time)


async def on_listing_changed(session: AsyncSession, event: ListingChanged, env: Envelope) -> None:
    await service.record_listing(session, event, env.time)


async def on_colour_changed(session: AsyncSession, event: ColourChanged, env: Envelope) -> None:
    await service.record_colour(session, event, env.time)


async def on_report_submitted(session: AsyncSession, event: AnnualReportSubmitted, _: Envelope) -> None:
    await service.record_report_submitted(session, event)


async def on_report_reviewed(session: AsyncSession, event: AnnualReportReviewed, _: Envelope) -> None:
    await service.record_report_reviewed(session, event)


async def on_grade_changed(session: AsyncSession, event: GradeChanged, _: Envelope) -> None:
    await service.record_grade(session, event)
