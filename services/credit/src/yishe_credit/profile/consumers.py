"""Event handlers: one per consumed subject, each running the rule in the owning domain's service."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from yishe_contracts.envelope import Envelope
from yishe_contracts.events.registry import OrganisationRegistered
from yishe_kit.outbox import Outbox

from ..config import Settings
from ..context import Ctx, event_ctx
from . import service

Handler = Callable[[AsyncSession, Any, Envelope], Awaitable[None]]


def on_organisation_registered(outbox: Outbox) -> Handler:
    async def handle(session: AsyncSession, event: OrganisationRegistered, envelope: Envelope) -> None:
        await service.open_profile(session, event, envelope, outbox=outbox)

    return handle


def handler(rule: Callable[[Ctx, Any], Awaitable[None]], outbox: Outbox, settings: Settings) -> Handler:
    """Wrap a `rule(ctx, event)` as a bus handler with the internal role."""

    async def handle(session: AsyncSession, event: Any, envelope: Envelope) -> None:
        await rule(event_ctx(session, outbox, settings, envelope.type), event)

    return handle
