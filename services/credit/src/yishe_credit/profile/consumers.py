"""Event handlers: one per consumed subject, each running the rule in the owning domain's service."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from yishe_contracts.events.registry import OrganisationRegistered
from yishe_kit.context import BatchContext, ContextHandler, HandlerContext

from ..context import Ctx, handler_ctx
from . import service


async def on_organisation_registered(ctx: HandlerContext, event: OrganisationRegistered) -> None:
    await service.open_profile(ctx.session, event, ctx.envelope, outbox=ctx.outbox)


async def on_organisations_registered(ctx: BatchContext) -> None:
    await service.open_profiles(ctx.session, ctx.items, outbox=ctx.outbox)


def plain(fn: Callable[[Any, Any], Awaitable[None]]) -> ContextHandler:
    """A handler that needs only the session and the event."""

    async def handle(ctx: HandlerContext, event: Any) -> None:
        await fn(ctx.session, event)

    return handle


def handler(rule: Callable[[Ctx, Any], Awaitable[None]]) -> ContextHandler:
    """Wrap a `rule(ctx, event)` as a bus handler with the internal role."""

    async def handle(ctx: HandlerContext, event: Any) -> None:
        await rule(handler_ctx(ctx), event)

    return handle
