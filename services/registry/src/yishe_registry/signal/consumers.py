"""Credit and party facts registry keeps a local copy of."""

from __future__ import annotations

from yishe_contracts.events.credit import ListingChanged, ZombieConfirmed
from yishe_contracts.events.party import CoverageChanged
from yishe_kit.context import HandlerContext

from . import service


async def on_listing_changed(ctx: HandlerContext, event: ListingChanged) -> None:
    await service.on_listing(ctx.session, event)


async def on_zombie_confirmed(ctx: HandlerContext, event: ZombieConfirmed) -> None:
    await service.on_zombie(ctx.session, event)


async def on_coverage_changed(ctx: HandlerContext, event: CoverageChanged) -> None:
    await service.on_coverage(ctx.session, event)
