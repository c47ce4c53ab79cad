"""Handlers of registry, credit, party and procurement events (`handler(ctx, event)`, listed in broker.py; the inbox
makes repeats harmless). An event about an organisation not known yet raises, so the bus redelivers it."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from yishe_contracts.events.registry import GradeChanged
from yishe_kit.context import BatchContext, BatchContextHandler, ContextHandler, HandlerContext

from ..reward import service as reward_service
from . import service


def plain_many(fn: Callable[[AsyncSession, list[Any]], Awaitable[None]]) -> BatchContextHandler:
    """The set-based form of a `plain` handler: `fn(session, events)` with the batch's events in stream order."""
    async def handle(ctx: BatchContext) -> None:
        await fn(ctx.session, [event for event, _ in ctx.items])

    return handle


def plain(fn: Callable[[AsyncSession, Any], Awaitable[None]]) -> ContextHandler:
    async def handle(ctx: HandlerContext, event: Any) -> None:
        await fn(ctx.session, event)

    return handle


async def on_grade_changed(ctx: HandlerContext, event: GradeChanged) -> None:
    """Keep the grade, and EVAL-10: a first-time 3A/4A/5A creates one payable reward (never twice for a level)."""
    row = await service.on_grade_changed(ctx.session, event, ctx.envelope)
    if row is not None:
        await reward_service.on_grade_event(ctx.session, row, clock=ctx.clock, outbox=ctx.outbox,
                                            settings=ctx.settings)
