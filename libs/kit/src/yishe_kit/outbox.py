"""Transactional outbox: events are rows written in the business transaction; a commit wakes the relay."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import UTC, datetime

from sqlalchemy import Table, event, insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from yishe_contracts.envelope import Envelope, Event

from .bulk import insert_rows
from .logging import causation_id_var, correlation_id_var

_PENDING = "yishe_outbox_pending"
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

    def __init__(self, table: Table, source: str):
        self.table = table
        self.source = source

    async def emit(self, session: AsyncSession, event_: Event) -> Envelope:
        envelope = Envelope.wrap(
            event_,
            source=self.source,
            correlation_id=correlation_id_var.get(),
            causation_id=causation_id_var.get(),
        )
        await session.execute(
            insert(self.table).values(
                event_id=envelope.id,
                subject=envelope.type,
                payload=envelope.to_json_bytes(),
                created_at=datetime.now(UTC),
                attempts=0,
            )
        )
        session.info[_PENDING] = True
        return envelope

    async def emit_many(self, session: AsyncSession, events: Sequence[Event]) -> list[Envelope]:
        """`emit` for many events at once (imports, daily jobs): one executemany, same rows, same wake-up."""
        if not events:
            return []
        now = datetime.now(UTC)
        correlation, causation = correlation_id_var.get(), causation_id_var.get()
        envelopes = [Envelope.wrap(e, source=self.source, correlation_id=correlation, causation_id=causation)
                     for e in events]
        await insert_rows(session, self.table, [
            {"event_id": env.id, "subject": env.type, "payload": env.to_json_bytes(), "created_at": now,
             "attempts": 0} for env in envelopes])
        session.info[_PENDING] = True
        return envelopes
