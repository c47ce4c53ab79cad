"""Bulk writes for imports and daily jobs: many outbox rows in one executemany.

Same rows as the kit's `Outbox.emit` (which inserts one event per statement); local because the kit has no
batch form yet. The commit wakes the relay exactly as `emit` does (`session.info` flag).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from sqlalchemy import insert, text
from sqlalchemy.ext.asyncio import AsyncSession

from yishe_contracts.envelope import Envelope, Event
from yishe_kit.logging import causation_id_var, correlation_id_var
from yishe_kit.outbox import Outbox

_PENDING = "yishe_outbox_pending"  # yishe_kit.outbox: the after_commit hook wakes relays when set


async def emit_many(session: AsyncSession, outbox: Outbox, events: Sequence[Event]) -> None:
    if not events:
        return
    now = datetime.now(UTC)
    rows = []
    for event in events:
        env = Envelope.wrap(event, source=outbox.source, correlation_id=correlation_id_var.get(),
                            causation_id=causation_id_var.get())
        rows.append({"event_id": env.id, "subject": env.type, "payload": env.to_json_bytes(), "created_at": now,
                     "attempts": 0})
    await session.execute(insert(outbox.table), rows)
    session.info[_PENDING] = True


async def tune_for_bulk(session: AsyncSession) -> None:
    """SQLite: a 64 MB page cache on this connection (default 2 MB) so large index inserts stay in memory."""
    if session.bind.dialect.name == "sqlite":
        await session.execute(text("PRAGMA cache_size = -65536"))
