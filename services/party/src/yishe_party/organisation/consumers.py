"""Handlers of the registry's organisation lifecycle events."""

from __future__ import annotations

from yishe_contracts.events.registry import FilingChanged, OrganisationRegistered, OrganisationStatusChanged
from yishe_kit.context import BatchContext, HandlerContext

from . import service


async def on_organisation_registered(ctx: HandlerContext, event: OrganisationRegistered) -> None:
    await service.on_registered(ctx.session, event, outbox=ctx.outbox, settings=ctx.settings,
                                learned_on=ctx.received_on)


async def on_organisations_registered(ctx: BatchContext) -> None:
    await service.on_registered_many(
        ctx.session, [(event, ctx.received_on(envelope), envelope) for event, envelope in ctx.items],
        outbox=ctx.outbox, settings=ctx.settings)


async def on_status_changed(ctx: HandlerContext, event: OrganisationStatusChanged) -> None:
    await service.on_status_changed(ctx.session, event, settings=ctx.settings)


async def on_filing_changed(ctx: HandlerContext, event: FilingChanged) -> None:
    await service.on_filing_changed(ctx.session, event, settings=ctx.settings)
