"""Transactional outbox: events are rows written in the business transaction; a commit wakes the relay."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from contextvars import ContextVar
from datetime import UTC, date, datetime

from sqlalchemy import Table, event, insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session
from uuid6 import uuid7

from yishe_contracts.envelope import BulkItemContext, CausedBulk, Envelope, Event, caused_event_id

from .bulk import insert_rows
from .clock import default_clock
from .logging import causation_id_var, correlation_id_var
from .tracing import current_carrier

_PENDING = "yishe_outbox_pending"
cause_effective_date_var: ContextVar[date | None] = ContextVar("cause_effective_date", default=None)
"""The effective date of the event being handled (set by the bus around a consumer): what it causes takes effect
on the same day unless the new event names its own rule date."""


def effective_date_of(event_: Event, explicit: date | None = None) -> date:
    """The business date an event takes effect: the producer's explicit date, else the event's own rule date
    (`Event.effective_on`), else its cause's effective date, else today on the kit clock."""
    return explicit or event_.effective_on() or cause_effective_date_var.get() or default_clock().today()


class Handling:
    """The service handling events right now, set by the bus around a handler: every event emitted gets an id
    derived from its cause (`caused_event_id`), so handling the same event again (a restored database replaying the
    stream, an event taken set-based or one by one, alone or as a bulk event's item) emits the same events. The
    ordinal counts the events of one type and subject each cause has emitted in this handling."""

    def __init__(self, consumer: str):
        self.consumer = consumer
        self._counts: dict[tuple[str, str, str], int] = {}

    def event_id(self, cause_id: str, type_: str, subject: str | None) -> str:
        key = (cause_id, type_, subject or "")
        ordinal = self._counts.get(key, 0)
        self._counts[key] = ordinal + 1
        return caused_event_id(self.consumer, cause_id, type_, subject, ordinal)


handling_var: ContextVar[Handling | None] = ContextVar("yishe_handling", default=None)


def _caused_id(event_: Event, cause_id: str | None) -> str | None:
    """The derived id of an event emitted while a consumer handles `cause_id`; None outside a consumer (a new id)."""
    handling = handling_var.get()
    if handling is None or not cause_id:
        return None
    return handling.event_id(cause_id, event_.subject_name, event_.cloudevent_subject())


_wakers: set[tuple[asyncio.AbstractEventLoop, asyncio.Event]] = set()


def register_waker(wake: asyncio.Event) -> None:
    _wakers.add((asyncio.get_running_loop(), wake))


def unregister_waker(wake: asyncio.Event) -> None:
    for item in [w for w in _wakers if w[1] is wake]:
        _wakers.discard(item)


@event.listens_for(Session, "after_commit")
def _wake_relays(session: Session) -> None:
    if session.info.pop(_PENDING, False):
        for loop, wake in list(_wakers):
            if not loop.is_closed():
                loop.call_soon_threadsafe(wake.set)


@event.listens_for(Session, "after_rollback")
def _forget_pending(session: Session) -> None:
    session.info.pop(_PENDING, None)


class Outbox:
    """Writes events into this service's `outbox` table, inside the caller's transaction."""

    def __init__(self, table: Table, source: str, origin: str | None = None):
        """`origin`: the part of the service this process runs when its API and consumers run apart (written on
        each row, for the relays: yishe_kit.relay); None in one process."""
        self.table = table
        self.source = source
        self.origin = origin
        self._insert = insert(table)  # built once: inline, the statement and its cache key cost ~0.1 ms an event

    async def emit(self, session: AsyncSession, event_: Event, *, effective_date: date | None = None) -> Envelope:
        """Write one event; `effective_date` only where the rule's date is not one of the event's own fields."""
        envelope = Envelope.wrap(
            event_,
            source=self.source,
            correlation_id=correlation_id_var.get(),
            causation_id=causation_id_var.get(),
            trace=current_carrier(),
            effective_date=effective_date_of(event_, effective_date),
            time=default_clock().now(),
            id=_caused_id(event_, causation_id_var.get()),
        )
        await session.execute(self._insert, {"event_id": envelope.id, "subject": envelope.type,
                                             "payload": envelope.to_json_bytes(), "created_at": datetime.now(UTC),
                                             "attempts": 0, "origin": self.origin})
        session.info[_PENDING] = True
        return envelope

    async def emit_many(self, session: AsyncSession, events: Sequence[Event]) -> list[Envelope]:
        """`emit` for many events at once (imports, daily jobs): one executemany, same rows, same wake-up."""
        if not events:
            return []
        now = datetime.now(UTC)
        correlation, causation, trace = correlation_id_var.get(), causation_id_var.get(), current_carrier()
        recorded = default_clock().now()  # the platform's instant: real time unless a platform date is set
        envelopes = [Envelope.wrap(e, source=self.source, correlation_id=correlation, causation_id=causation,
                                   trace=trace, effective_date=effective_date_of(e), time=recorded,
                                   id=_caused_id(e, causation)) for e in events]
        await insert_rows(session, self.table, [
            {"event_id": env.id, "subject": env.type, "payload": env.to_json_bytes(), "created_at": now,
             "attempts": 0, "origin": self.origin} for env in envelopes], copy=True)
        session.info[_PENDING] = True
        return envelopes

    async def emit_caused(self, session: AsyncSession, caused: Sequence[tuple[Event, Envelope]]) -> list[Envelope]:
        """`emit` for many events each caused by an event being handled (a set-based consumer): each carries its
        cause's correlation id, the cause's id as causation id, its trace and — unless the event names its own rule
        date — the cause's effective date, exactly as `emit` inside the bus's `event_context` would. One statement."""
        if not caused:
            return []
        now = datetime.now(UTC)
        recorded = default_clock().now()
        envelopes = [Envelope.wrap(e, source=self.source, correlation_id=cause.correlationid, causation_id=cause.id,
                                   trace=_carrier(cause), time=recorded,
                                   effective_date=e.effective_on() or cause.effective_day(), id=_caused_id(e, cause.id))
                     for e, cause in caused]
        await insert_rows(session, self.table, [
            {"event_id": env.id, "subject": env.type, "payload": env.to_json_bytes(), "created_at": now,
             "attempts": 0, "origin": self.origin} for env in envelopes], copy=True)
        session.info[_PENDING] = True
        return envelopes

    async def emit_caused_bulk(self, session: AsyncSession, caused: Sequence[tuple[Event, Envelope]],
                               carrier: type[CausedBulk], *, size: int = 1000) -> list[Envelope]:
        """`emit_caused` with the events of one flow carried in bulk events (`carrier`, whose `bulk_item` is their
        model): causes sharing a correlation id (the items of one bulk import) are sent as
        bulk events of up to `size` items, each item listed with the id, causation and effective date
        `emit_caused` would have given its own event (`BulkItemContext`), so consumers see the same events either
        way; an event alone in its flow (a live registration) is sent as itself. One statement."""
        flows: dict[str | None, list[tuple[Event, Envelope]]] = {}
        for pair in caused:
            flows.setdefault(pair[1].correlationid, []).append(pair)
        singles: list[tuple[Event, Envelope]] = []
        bulks: list[tuple[Event, Envelope]] = []
        for flow, pairs in flows.items():
            if flow is None or len(pairs) < 2:
                singles += pairs
                continue
            for start in range(0, len(pairs), size):
                part = pairs[start:start + size]
                contexts = [BulkItemContext(id=_caused_id(e, cause.id) or str(uuid7()), causationid=cause.id,
                                            effectivedate=e.effective_on() or cause.effective_day())
                            for e, cause in part]
                bulks.append((carrier(**{carrier.bulk_field: [e for e, _ in part], "contexts": contexts}), part[0][1]))
        return await self.emit_caused(session, singles + bulks)


def _carrier(cause: Envelope) -> dict[str, str] | None:
    """The cause's W3C trace context: what the bus's consumer span would have made current."""
    if not cause.traceparent:
        return None
    carrier = {"traceparent": cause.traceparent}
    if cause.tracestate:
        carrier["tracestate"] = cause.tracestate
    return carrier
