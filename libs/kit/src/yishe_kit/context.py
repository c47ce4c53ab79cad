"""What every service's handlers need, in one place: the request dependencies (outbox, settings, clock and today,
caller) and the context the bus gives an event handler (session, outbox, settings, clock, the event).

A route asks for `OutboxDep`, `SettingsDep`, `ClockDep`/`TodayDep`, `PrincipalDep` (or `RequestContextDep`, all of
them with the session); a consumer is a `handler(ctx: HandlerContext, event)` listed as `On(Model, handler)` and
given to `create_service_app(consumers=...)`. The clock is the app's (`app.state.clock`, the process's
`default_clock()` unless a test gives its own), so the platform date (yishe_kit.platform_date) reaches every one.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Annotated, Any

from fastapi import Depends, Request
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.datastructures import State

from yishe_contracts.envelope import Envelope, Event
from yishe_contracts.subjects import BULK_CARRIERS

from .bus import Subscription
from .clock import Clock, ClockDep, TodayDep, business_date, default_clock, get_clock
from .db import SessionDep
from .outbox import Outbox
from .principal import Principal, PrincipalDep

__all__ = ["BatchContext", "BatchContextHandler", "ClockDep", "HandlerContext",
           "On", "OutboxDep", "PrincipalDep", "RequestContext", "RequestContextDep",
           "SessionDep", "SettingsDep", "TodayDep", "get_outbox", "get_settings", "state_clock", "state_today",
           "subscriptions"]


def get_outbox(request: Request) -> Outbox:
    outbox: Outbox = request.app.state.outbox
    return outbox


def get_settings(request: Request) -> Any:
    """The service's settings object (`create_app(settings)`); a service may re-type it:
    `Annotated[Settings, Depends(get_settings)]`."""
    return request.app.state.settings


OutboxDep = Annotated[Outbox, Depends(get_outbox)]
SettingsDep = Annotated[Any, Depends(get_settings)]


def state_clock(state: State) -> Clock:
    clock = getattr(state, "clock", None)
    return clock if isinstance(clock, Clock) else default_clock()


def state_today(state: State) -> date:
    """Today for code that has the app's state but no request (read models' `today`)."""
    return state_clock(state).today()


@dataclass
class RequestContext:
    """Everything a request's rule needs: the session, the outbox, the settings, the clock and the caller."""

    session: AsyncSession
    outbox: Outbox
    settings: Any
    clock: Clock
    principal: Principal

    def today(self) -> date:
        return self.clock.today()


def get_request_context(request: Request, session: SessionDep, principal: PrincipalDep,
                        clock: Annotated[Clock, Depends(get_clock)]) -> RequestContext:
    return RequestContext(session=session, outbox=request.app.state.outbox, settings=request.app.state.settings,
                          clock=clock, principal=principal)


RequestContextDep = Annotated[RequestContext, Depends(get_request_context)]


@dataclass
class HandlerContext:
    """What the bus gives an event handler: its transaction's session, the outbox, the settings, the clock and the
    event's envelope. The caller of a consumed event is the internal role, the subject its actor."""

    session: AsyncSession
    outbox: Outbox
    settings: Any
    clock: Clock
    envelope: Envelope

    def today(self) -> date:
        return self.clock.today()

    @property
    def received_on(self) -> date:
        """The business day the event was recorded by its producer (its envelope time)."""
        return business_date(self.envelope.time)

    @property
    def principal(self) -> Principal:
        return Principal(actor=self.envelope.type, role="internal")


ContextHandler = Callable[[HandlerContext, Any], Awaitable[None]]


@dataclass
class BatchContext:
    """What the bus gives a set-based handler: the batch transaction's session, the outbox, the settings, the clock
    and the batch's events with their envelopes, in stream order (`items`)."""

    session: AsyncSession
    outbox: Outbox
    settings: Any
    clock: Clock
    items: list[tuple[Any, Envelope]]

    def today(self) -> date:
        return self.clock.today()

    @staticmethod
    def received_on(envelope: Envelope) -> date:
        """The business day an event was recorded by its producer (`HandlerContext.received_on`)."""
        return business_date(envelope.time)

    def first_per_organisation(self) -> list[tuple[Any, Envelope]]:
        """The first event of the batch about each organisation (its `uscc`), in stream order: for handlers where
        the first event about an organisation wins (one record per organisation, whatever the event id)."""
        out: dict[str, tuple[Any, Envelope]] = {}
        for event, envelope in self.items:
            out.setdefault(event.uscc, (event, envelope))
        return list(out.values())


BatchContextHandler = Callable[[BatchContext], Awaitable[None]]


@dataclass(frozen=True)
class On:
    """A consumed subject: its contracts model and the handler `handler(ctx, event)`; `batch(ctx)` optionally, the
    set-based form for a batch of waiting events (yishe_kit.bus.BatchHandler: the same end state as `handler` taking
    them one by one; when it fails the bus falls back to `handler`, one event at a time)."""

    model: type[Event]
    handler: ContextHandler
    batch: BatchContextHandler | None = None


def subscriptions(consumer: str, handlers: Sequence[On], *, outbox: Outbox, settings: Any,
                  clock: Clock) -> list[Subscription]:
    """Bus subscriptions that hand each handler its `HandlerContext` (one durable consumer per subject), and the
    same handlers for each bulk event carrying a handled subject's items (`BULK_CARRIERS`)."""

    def wrap(handler: ContextHandler) -> Callable[[AsyncSession, Any, Envelope], Awaitable[None]]:
        async def handle(session: AsyncSession, event: Any, envelope: Envelope) -> None:
            await handler(HandlerContext(session, outbox, settings, clock, envelope), event)

        return handle

    def wrap_batch(batch: BatchContextHandler | None,
                   ) -> Callable[[AsyncSession, list[tuple[Any, Envelope]]], Awaitable[None]] | None:
        if batch is None:
            return None

        async def handle(session: AsyncSession, items: list[tuple[Any, Envelope]]) -> None:
            await batch(BatchContext(session, outbox, settings, clock, items))

        return handle

    subs = []
    for on in handlers:
        subs.append(Subscription(on.model.subject_name, on.model, wrap(on.handler), consumer, wrap_batch(on.batch)))
        # The bulk events carrying this subject's items: the same handlers, item by item (yishe_kit.bus).
        subs += [Subscription(bulk.subject_name, bulk, wrap(on.handler), consumer, wrap_batch(on.batch))
                 for bulk in BULK_CARRIERS.get(on.model.subject_name, ())]
    return subs
