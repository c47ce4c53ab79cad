"""Handlers of the registry's organisation lifecycle events."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from sqlalchemy.ext.asyncio import AsyncSession

from yishe_contracts.envelope import Envelope
from yishe_contracts.events.registry import FilingChanged, OrganisationRegistered, OrganisationStatusChanged
from yishe_kit.outbox import Outbox

from .. import clock
from ..config import Settings
from . import service


def on_organisation_registered(
    outbox: Outbox, settings: Settings
) -> Callable[[AsyncSession, OrganisationRegistered, Envelope], Awaitable[None]]:
    async def handle(session: AsyncSession, event: OrganisationRegistered, envelope: Envelope) -> None:
        await service.on_registered(session, event, outbox=outbox, settings=settings,
                                    learned_on=clock.local_date(envelope.time))

    return handle


def on_status_changed(settings: Settings) -> Callable[[AsyncSession, OrganisationStatusChanged, Envelope],
                                                      Awaitable[None]]:
    async def handle(session: AsyncSession, event: OrganisationStatusChanged, envelope: Envelope) -> None:
        await service.on_status_changed(session, event, settings=settings)

    return handle


def on_filing_changed(settings: Settings) -> Callable[[AsyncSession, FilingChanged, Envelope], Awaitable[None]]:
    async def handle(session: AsyncSession, event: FilingChanged, envelope: Envelope) -> None:
        await service.on_filing_changed(session, event, settings=settings)

    return handle
