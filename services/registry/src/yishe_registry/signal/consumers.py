from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from yishe_contracts.envelope import Envelope
from yishe_contracts.events.credit import ListingChanged, ZombieConfirmed
from yishe_contracts.events.party import CoverageChanged

from . import service


async def on_listing_changed(session: AsyncSession, event: ListingChanged, envelope: Envelope) -> None:
    await service.on_listing(session, event)


async def on_zombie_confirmed(session: AsyncSession, event: ZombieConfirmed, envelope: Envelope) -> None:
    await service.on_zombie(session, event)


async def on_coverage_changed(session: AsyncSession, event: CoverageChanged, envelope: Envelope) -> None:
    await service.on_coverage(session, event)
