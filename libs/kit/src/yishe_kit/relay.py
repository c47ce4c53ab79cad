"""Outbox relay: publishes unsent outbox rows to JetStream (Nats-Msg-Id = event id) until NATS accepts them.

Woken on every commit that wrote an outbox row; a slow safety poll catches anything else
(rows written by another process, a publish that failed while NATS was down).

**A service's API and its consumers run apart** (`ServiceSettings.runs`): both processes write the one outbox, and
each has a relay. Each row names the part that wrote it (`outbox.origin`), and a relay publishes its own part's rows
and rows of no part. It takes the other part's rows only when that part's relay has made no progress: the other
part's oldest unsent row stayed the same for `relay.takeover_seconds` (that process down or stuck); it then takes
every row of that part unsent at that moment. Progress, not a row's age: an import's rows are written over minutes in
one transaction and are already "old" when they appear, and a relay working through a backlog is never stuck.
Without it, on SQLite (which has no `SKIP LOCKED`), each relay's safety poll read the rows the other was publishing:
in a 200,000-organisation import, 189 of 789 publishes were repeats the stream dropped (the registry's consumers
process: 83 of 95, each a bulk event of ~340 KB). A repeat is still harmless (`Nats-Msg-Id`).
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from datetime import UTC, datetime, timedelta

import structlog
from sqlalchemy import ColumnElement, Select, Table, bindparam, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from .bus import Bus
from .db import delete_in_batches
from .outbox import register_waker, unregister_waker
from .settings import RelaySettings
from .tasks import stop as stop_tasks

log = structlog.get_logger("yishe.relay")
SLOW_ROUND_S = 1.0
"""A round (read, publish with acks, mark sent) taking this long or more is logged with where its time went."""
WATCH_EVERY_S = 1.0  # apart: how often a relay looks at the other part's progress (one indexed MIN)


class Relay:
    def __init__(self, *, bus: Bus, sessionmaker: async_sessionmaker[AsyncSession], outbox: Table,
                 settings: RelaySettings, origin: str | None = None):
        """`origin`: the part of the service this process runs when its API and consumers run apart (its outbox's
        rows carry it: `yishe_kit.outbox.Outbox`); None in one process, which publishes every row."""
        self.bus = bus
        self.origin = origin
        self.sessionmaker = sessionmaker
        self.outbox = outbox
        self.settings = settings
        self.wake = asyncio.Event()
        self._task: asyncio.Task | None = None
        self._stopping = False
        self.published = 0
        self.more = False  # the last round stopped at its byte budget with rows left
        # Built once (per dialect): the next-rows query took ~0.75 ms to build and key on every round, every event.
        self._next: dict[str, Select] = {}
        t = outbox
        self._mark_sent = (update(t).where(t.c.seq.in_(bindparam("seqs", expanding=True)))
                           .values(published_at=bindparam("at")))
        # Apart: the other part's oldest unsent row and when it was first seen so; rows of that part up to `_taken`
        # are this relay's (their own relay made no progress for takeover_seconds).
        self._others_oldest: tuple[int, float] | None = None
        self._taken = -1
        self._watched_at = 0.0

    def start(self) -> None:
        register_waker(self.wake)
        self._task = asyncio.create_task(self.run(), name="outbox-relay")

    async def stop(self) -> None:
        # The flag as well as the cancel: on Python 3.11 a cancel arriving as a commit wakes the relay can be lost.
        self._stopping = True
        unregister_waker(self.wake)
        self.wake.set()
        if self._task is not None:
            await stop_tasks(self._task)

    async def run(self) -> None:
        backoff = 0.05
        await self.bus.ready.wait()
        next_purge = time.monotonic() + self.settings.purge_interval_seconds
        while not self._stopping:
            self.wake.clear()
            try:
                sent = await self.drain_once()
                backoff = 0.05
                if time.monotonic() >= next_purge:
                    next_purge = time.monotonic() + self.settings.purge_interval_seconds
                    await self.purge_once()
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                log.warning("relay publish failed", error=repr(exc), retry_in=backoff)
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, self.settings.max_backoff_seconds)
                continue
            if sent >= self.settings.batch or self.more:
                continue
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(self.settings.safety_poll_seconds):
                    await self.wake.wait()

    async def drain_once(self) -> int:
        """Publish one batch of unsent rows in order; mark each sent. Returns how many went out."""
        t = self.outbox
        began = time.monotonic()
        async with self.sessionmaker() as session:
            if self.origin is not None and time.monotonic() - self._watched_at >= WATCH_EVERY_S:
                await self.watch_others(session)
            rows = (await session.execute(self._next_rows(session.get_bind().dialect.name), self._bound())).all()
            self.more = False
            if not rows:
                return 0
            read = time.monotonic()
            self.more = len(rows) < self.settings.batch and rows[-1].before + len(rows[-1].payload) >= (
                self.settings.batch_bytes)
            error: Exception | None = None
            try:  # the whole batch with its acks in flight together, in outbox order
                acked = await self.bus.publish_many([(r.subject, r.payload, r.event_id) for r in rows])
            except Exception as exc:
                acked, error = 0, exc
            if error is None and acked < len(rows):
                error = ConnectionError(f"NATS acknowledged {acked} of {len(rows)} events")
            published = time.monotonic()
            sent = [r.seq for r in rows[:acked]]
            now = datetime.now(UTC)
            if sent:
                await session.execute(self._mark_sent, {"seqs": sent, "at": now})
            if error is not None:
                failed = rows[len(sent)].seq
                await session.execute(
                    update(t).where(t.c.seq == failed).values(attempts=t.c.attempts + 1, last_error=repr(error)[:500])
                )
            await session.commit()
            self.published += len(sent)
            if (took := time.monotonic() - began) >= SLOW_ROUND_S:
                log.warning("relay round slow", seconds=round(took, 3), read_s=round(read - began, 3),
                            publish_s=round(published - read, 3), mark_s=round(time.monotonic() - published, 3),
                            rows=len(rows), payload_bytes=sum(len(r.payload) for r in rows), origin=self.origin)
            if error is not None:
                raise error
            return len(sent)

    def _next_rows(self, dialect: str) -> Select:
        """The next unsent rows in order: up to `batch` rows, and no more once `batch_bytes` of payload are taken (the
        first row always): a round's payloads are held in memory and in flight together, and a bulk event is up to
        512 KB. After a 1,000,000-row import (~3,900 bulk events) the registry's relay, taking 1,000 rows a round,
        reached 435 MB RSS; measured after a 300,000-row import job, the registry peaked at 204 MB with 8 MiB a
        round and 189 MB with 2 MiB (the default; 174 MB before its relay ran). The sizes are the stored lengths,
        read without reading the payloads."""
        built = self._next.get(dialect)
        if built is not None:
            return built
        t = self.outbox
        first = (select(t.c.seq, func.length(t.c.payload).label("size")).where(self._mine())
                 .order_by(t.c.seq).limit(self.settings.batch).subquery())
        sized = select(first.c.seq, (func.sum(first.c.size).over(order_by=first.c.seq) - first.c.size)
                       .label("before")).subquery()
        stmt = (select(t.c.seq, t.c.event_id, t.c.subject, t.c.payload, sized.c.before)
                .join(sized, sized.c.seq == t.c.seq).where(sized.c.before < self.settings.batch_bytes)
                .order_by(t.c.seq))
        if dialect == "postgresql":
            stmt = stmt.with_for_update(of=t, skip_locked=True)
        self._next[dialect] = stmt
        return stmt

    def _mine(self) -> ColumnElement[bool]:
        """The unsent rows this relay publishes: all of them in one process; apart, its part's, no part's, and the
        other part's up to `:taken` (`watch_others`)."""
        t = self.outbox
        unsent = t.c.published_at.is_(None)
        if self.origin is None:
            return unsent
        return unsent & or_(t.c.origin == self.origin, t.c.origin.is_(None), t.c.seq <= bindparam("taken"))

    def _bound(self) -> dict[str, int]:
        return {} if self.origin is None else {"taken": self._taken}

    def _others(self) -> ColumnElement[bool]:
        t = self.outbox
        return t.c.published_at.is_(None) & t.c.origin.is_not(None) & (t.c.origin != self.origin)

    async def watch_others(self, session: AsyncSession) -> None:
        """Apart: whether the other part's relay is making progress. Its oldest unsent row the same for
        `takeover_seconds` → every row of that part unsent now is this relay's to publish."""
        now = self._watched_at = time.monotonic()
        t = self.outbox
        oldest = await session.scalar(select(func.min(t.c.seq)).where(self._others()))
        if oldest is None or oldest <= self._taken:
            self._others_oldest = None
            return
        if self._others_oldest is None or self._others_oldest[0] != oldest:
            self._others_oldest = (oldest, now)
            return
        if now - self._others_oldest[1] < self.settings.takeover_seconds:
            return
        self._taken = int(await session.scalar(select(func.max(t.c.seq)).where(self._others())) or oldest)
        self._others_oldest = None
        log.warning("relay takes over the other part's rows: its relay made no progress", origin=self.origin,
                    through_seq=self._taken, waited_s=self.settings.takeover_seconds)

    async def purge_once(self, now: datetime | None = None, batch: int = 5000) -> int:
        """Delete published rows older than the retention, a batch per transaction; returns how many went."""
        t = self.outbox
        cutoff = (now or datetime.now(UTC)) - timedelta(hours=self.settings.retention_hours)
        sent_before = t.c.published_at.is_not(None) & (t.c.published_at < cutoff)  # unsent rows are never purged
        purged = await delete_in_batches(self.sessionmaker, t, sent_before, batch)
        if purged:
            log.info("outbox purged", rows=purged, older_than=cutoff.isoformat())
        return purged

    async def lag(self) -> int:
        """Unsent outbox rows this relay is to publish (`/health/ready`'s outbox lag, and `yishe_outbox_unsent_rows`
        on /metrics): all of them in one process; apart, those `_mine` takes, so the two processes' figures add up."""
        async with self.sessionmaker() as session:
            return int(await session.scalar(select(func.count()).where(self._mine()), self._bound()) or 0)
