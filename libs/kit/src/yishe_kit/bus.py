"""JetStream bus: connection that survives NATS restarts, stream topology, publish, durable consumers with inbox."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import nats
import orjson
import structlog
from nats.aio.client import Client as NATS
from nats.js import JetStreamContext
from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy, StreamConfig
from pydantic import ValidationError
from sqlalchemy import Insert, Select, Table, bindparam, insert, select, text
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from yishe_contracts.envelope import Envelope, Event, bulk_items
from yishe_contracts.subjects import DLQ_PREFIX, DLQ_STREAM, OWNERS, stream_name

from . import tracing
from .bulk import insert_rows
from .db import delete_in_batches, is_unavailable, plan_by_current_size
from .logging import causation_id_var, correlation_id_var
from .outbox import Handling, cause_effective_date_var, handling_var
from .settings import STREAM_MAX_AGE_DAYS, NatsSettings
from .tasks import stop as stop_tasks

log = structlog.get_logger("yishe.bus")


@contextlib.contextmanager
def event_context(envelope: Envelope, consumer: str) -> Iterator[None]:
    """While service `consumer` handles an event: the event's correlation id, its id as the cause, its effective
    date, and the consumer, for whatever the handler emits through the kit outbox (what an event causes takes effect
    on its day, with an id derived from it: `Handling`)."""
    tokens = (correlation_id_var.set(envelope.correlationid), causation_id_var.set(envelope.id),
              cause_effective_date_var.set(envelope.effective_day()))
    with handling(consumer):
        try:
            yield
        finally:
            correlation_id_var.reset(tokens[0])
            causation_id_var.reset(tokens[1])
            cause_effective_date_var.reset(tokens[2])


@contextlib.contextmanager
def handling(consumer: str) -> Iterator[None]:
    """While service `consumer` handles events (one, or a batch through a set-based handler)."""
    token = handling_var.set(Handling(consumer))
    try:
        yield
    finally:
        handling_var.reset(token)


ORGANISATION_LOCK_CLASS = 0x79736865  # "yshe": the first key of the two-key advisory locks below (jobs use one key)


async def hold_organisations(session: AsyncSession, subjects: list[str | None]) -> None:
    """At the start of a consumer's transaction: hold the organisations its events are about until it ends.

    A service's durables (one per subject) run side by side, and on several replicas; two of them may handle events
    of one organisation at once (its credit profile opened and its abnormal listing) and each decides from the row
    it read (`at >= lists_at`). Without this the later commit overwrites the earlier one's decision from a stale
    read (a lost update). SQLite: the one writer's lock now (`BEGIN IMMEDIATE`), not a deferred upgrade after the
    reads. PostgreSQL: a transaction-scoped advisory lock per organisation (its USCC, the CloudEvents subject),
    taken in sorted order so two batches never wait on each other in a cycle."""
    conn = await session.connection()
    if conn.dialect.name == "sqlite":
        raw = (await conn.get_raw_connection()).driver_connection
        if raw is not None and not raw.in_transaction:
            await conn.exec_driver_sql("BEGIN IMMEDIATE")
        return
    keys = sorted({s for s in subjects if s})
    if keys:
        await conn.execute(text("SELECT count(pg_advisory_xact_lock(:cls, hashtext(k))) "
                                "FROM unnest(CAST(:keys AS text[])) WITH ORDINALITY AS t(k, n)"),
                           {"cls": ORGANISATION_LOCK_CLASS, "keys": keys})


def _inbox_statements(inbox: Table) -> tuple[Select, Insert]:
    """The single-event path's look-up and insert of its inbox row, built once: SQLAlchemy builds a statement and its
    cache key anew each time it is written inline (~0.1 ms each, on every event)."""
    seen = select(inbox.c.event_id).where(inbox.c.consumer == bindparam("consumer"),
                                          inbox.c.event_id == bindparam("event_id"))
    return seen, insert(inbox)


ANALYZE_FIRST = 5_000  # inbox rows a process writes before its first ANALYZE of the table (PostgreSQL)
DUPLICATE_WINDOW_S = 120.0
Handler = Callable[[AsyncSession, Any, Envelope], Awaitable[None]]
BatchHandler = Callable[[AsyncSession, list[tuple[Any, Envelope]]], Awaitable[None]]
"""The set-based form of a handler: every new event of one batch, in stream order, handled together (one IN query
instead of one lookup per event, rows written in bulk). It must leave the state the one-by-one handler would leave
taking the same events in the same order (several events about one organisation included)."""


def stream_configs() -> list[StreamConfig]:
    """One stream per owning service plus the dead-letter stream (mirrors deploy/nats/streams/*.json)."""
    configs = [
        StreamConfig(name=stream_name(o), subjects=[f"{o}.>"], duplicate_window=DUPLICATE_WINDOW_S,
                     max_age=STREAM_MAX_AGE_DAYS * 86400.0)
        for o in OWNERS
    ]
    configs.append(StreamConfig(name=DLQ_STREAM, subjects=[f"{DLQ_PREFIX}.>"], max_age=30 * 86400.0))
    return configs


@dataclass(frozen=True)
class Subscription:
    """A durable consumer of one subject, handled by `handler` with the contracts model `model`."""

    subject: str
    model: type[Event]
    handler: Handler
    consumer: str  # the consuming service's name
    batch_handler: BatchHandler | None = None  # set-based form of `handler` for batches (see `BatchHandler`)
    own_inbox: bool = False
    """The handlers keep their own record of every event they took in, keyed by its id (unique) and written in the
    same transaction, and skip one already there (the gateway's change feed): no inbox row is read or written for
    this durable, its record is the inbox. A repeat racing past their check fails on that key and is retried, then
    skipped, as with the inbox."""

    @property
    def durable(self) -> str:
        return f"{self.consumer}-{self.subject.replace('.', '-')}"

    @property
    def bulk(self) -> bool:
        """A bulk subject (`Event.bulk_item`): each message carries many items, each handled as its own event by
        `handler` / `batch_handler` (which take the item model)."""
        return self.model.bulk_item is not None


class _BulkMessage:
    """The JetStream message of a bulk event, settled once every item is: acked when each was handled, seen
    before or dead-lettered; negatively acked (redelivered whole: handled items are then skipped by their inbox
    rows) when any item asked for a redelivery."""

    def __init__(self, msg: Any, items: int):
        self.msg = msg
        self.left = items
        self.nak_delay: float | None = None

    async def settle(self, nak_delay: float | None) -> None:
        if nak_delay is not None:
            self.nak_delay = max(self.nak_delay or 0.0, nak_delay)
        self.left -= 1
        if self.left == 0:
            if self.nak_delay is None:
                await self.msg.ack()
            else:
                await self.msg.nak(delay=self.nak_delay)


class _ItemMessage:
    """One item of a bulk event where the bus expects a message: its own envelope as `data` (what a dead letter
    carries: the single event it stands for), the bulk message's delivery count, settled through `_BulkMessage`."""

    def __init__(self, bulk: _BulkMessage, envelope: Envelope):
        self.bulk = bulk
        self.envelope = envelope
        self.subject = envelope.type
        self._settled = False

    @property
    def metadata(self) -> Any:
        return self.bulk.msg.metadata

    @property
    def data(self) -> bytes:
        return self.envelope.to_json_bytes()

    async def _settle(self, nak_delay: float | None) -> None:
        if not self._settled:
            self._settled = True
            await self.bulk.settle(nak_delay)

    async def ack(self) -> None:
        await self._settle(None)

    async def term(self) -> None:
        await self._settle(None)

    async def nak(self, delay: float | None = None) -> None:
        await self._settle(delay or 0.0)

    async def in_progress(self) -> None:
        await self.bulk.msg.in_progress()


class Bus:
    """One NATS connection per process. Connects in the background and keeps reconnecting forever."""

    def __init__(self, settings: NatsSettings, *, name: str):
        self.settings = settings
        self.name = name
        self.nc: NATS | None = None
        self.js: JetStreamContext | None = None
        self.ready = asyncio.Event()
        self._tasks: list[asyncio.Task] = []
        self._stopping = False
        self._inbox: Table | None = None
        self._inbox_stmts: tuple[Select, Insert] | None = None
        self._durables: list[Subscription] = []
        self._inbox_rows = 0  # inbox rows this process wrote (batches), and when it analyzes the table next
        self._analyze_at = ANALYZE_FIRST
        self._analyzing: asyncio.Task | None = None
        self._purging: asyncio.Task | None = None  # the inbox purge, one per process however many consumers
        # Events this process published that the stream already held (dropped by their Nats-Msg-Id): a relay's
        # round repeated after a failure, or two relays of one outbox reading the same rows.
        self.duplicates = 0

    @property
    def connected(self) -> bool:
        return self.nc is not None and self.nc.is_connected

    async def connect(self) -> None:
        """Connect (retrying until NATS answers) and declare the streams."""
        delay = 0.1
        while not self._stopping:
            try:
                self.nc = await nats.connect(
                    servers=self.settings.servers,
                    name=self.name,
                    allow_reconnect=True,
                    max_reconnect_attempts=-1,
                    reconnect_time_wait=0.5,
                    connect_timeout=2,
                    error_cb=self._on_error,
                )
                self.js = self.nc.jetstream(timeout=5)
                await self.ensure_streams()
                self.ready.set()
                log.info("nats connected", servers=self.settings.servers)
                return
            except Exception as exc:
                log.warning("nats connect failed", error=repr(exc), retry_in=delay)
                if self.nc is not None:
                    with contextlib.suppress(Exception):
                        await self.nc.close()
                    self.nc = None
                await asyncio.sleep(delay)
                delay = min(delay * 2, 2.0)

    async def _on_error(self, exc: Exception) -> None:
        log.debug("nats error", error=repr(exc))

    async def ensure_streams(self) -> None:
        """Create missing streams only: never update one, so deploy/nats/streams (R3 in production) stays in force."""
        assert self.js is not None
        for cfg in stream_configs():
            assert cfg.name is not None
            try:
                await self.js.stream_info(cfg.name)
            except nats.js.errors.NotFoundError:
                with contextlib.suppress(nats.js.errors.BadRequestError):  # created meanwhile by another service
                    await self.js.add_stream(cfg)

    async def publish(self, subject: str, payload: bytes, *, msg_id: str, timeout: float = 5.0) -> int:
        """Publish to JetStream with `Nats-Msg-Id` (server-side dedupe); returns the stream sequence."""
        if self.js is None or not self.connected:
            raise ConnectionError("NATS is not connected")
        ack = await self.js.publish(subject, payload, timeout=timeout, headers={"Nats-Msg-Id": msg_id})
        return ack.seq

    async def publish_many(self, items: list[tuple[str, bytes, str]], *, timeout: float = 5.0) -> int:
        """Publish (subject, payload, msg_id) in order with their acks in flight together; returns how many, from
        the start, the server acknowledged (the rest, from the first failure on, must be published again — a
        repeat within the stream's duplicate window is dropped by its `Nats-Msg-Id`)."""
        if self.js is None or not self.connected:
            raise ConnectionError("NATS is not connected")
        futures = []
        try:
            for subject, payload, msg_id in items:  # each call has written its message before it returns: in order
                futures.append(await self.js.publish_async(subject, payload, wait_stall=timeout,
                                                           headers={"Nats-Msg-Id": msg_id}))
        except Exception as exc:
            log.warning("async publish refused", error=repr(exc), written=len(futures))
        if not futures:
            raise ConnectionError("NATS refused the publish")
        done, _ = await asyncio.wait(futures, timeout=timeout)
        acked = repeated = 0
        for fut in futures:
            if fut not in done or fut.cancelled() or fut.exception() is not None:
                break
            acked += 1
            repeated += bool(fut.result().duplicate)
        self.duplicates += repeated
        for fut in futures[acked:]:
            if not fut.done():
                fut.cancel()
            elif not fut.cancelled():
                fut.exception()  # retrieved: no "exception was never retrieved" warning
        return acked

    def start_consumers(self, subs: list[Subscription], sessionmaker: async_sessionmaker[AsyncSession],
                        inbox: Table) -> None:
        """One task per durable; `inbox` is the consumer's inbox table (required before any delivery)."""
        self._inbox = inbox
        self._inbox_stmts = _inbox_statements(inbox)
        self._durables.extend(subs)
        for sub in subs:
            self._tasks.append(asyncio.create_task(self._consume(sub, sessionmaker), name=sub.durable))
        if subs and self._purging is None:
            self._purging = asyncio.create_task(self._purge_inbox(sessionmaker), name="inbox-purge")
            self._tasks.append(self._purging)

    async def _purge_inbox(self, sessionmaker: async_sessionmaker[AsyncSession]) -> None:
        while not self._stopping:
            try:
                await self.purge_inbox_once(sessionmaker)
            except Exception as exc:  # a purge is housekeeping: never a consumer's failure, tried again next time
                log.warning("inbox purge failed", error=repr(exc)[:200])
            await asyncio.sleep(self.settings.inbox_purge_interval_seconds)

    async def purge_inbox_once(self, sessionmaker: async_sessionmaker[AsyncSession], now: datetime | None = None,
                               batch: int = 5000) -> int:
        """Delete inbox rows older than `inbox_retention_days` (always longer than any stream keeps an event, so
        no event a stream can still deliver is forgotten), a batch per transaction; returns how many went."""
        t = self._inbox
        assert t is not None
        cutoff = (now or datetime.now(UTC)) - timedelta(days=self.settings.inbox_retention_days)
        purged = await delete_in_batches(sessionmaker, t, t.c.received_at < cutoff, batch)
        if purged:
            log.info("inbox purged", rows=purged, older_than=cutoff.isoformat())
        return purged

    async def _consume(self, sub: Subscription, sessionmaker: async_sessionmaker[AsyncSession]) -> None:
        """Pull and handle messages; a batch when more are waiting, one at a time when the stream is quiet.

        A long poll for one message keeps the single-event path prompt (nats-py's fetch(n > 1) would hold a message
        until n arrive or the request expires). Each message's metadata says how many more are pending for this
        consumer: while any are, they are pulled up to `batch` at a time (the server answers at once, they are
        there) and handled in one transaction. A lingering consumer (`linger_seconds`) waits after an event on a quiet
        stream and handles it with whatever came meanwhile (`_lingered`).
        """
        await self.ready.wait()
        psub = None
        pending = 0
        while not self._stopping:
            try:
                if psub is None:
                    psub = await self._pull_subscription(sub)
                want = min(pending, self.settings.batch) if pending > 0 and not sub.bulk else 1
                try:
                    msgs = await psub.fetch(want, timeout=5 if want == 1 else 0.5)
                except (TimeoutError, nats.errors.TimeoutError):
                    pending = 0
                    continue
                if want == 1 and msgs and not sub.bulk and self.settings.linger_seconds > 0:
                    msgs += await self._lingered(psub)
                last = msgs[-1].metadata if msgs else None
                pending = last.num_pending if last is not None and last.num_pending else 0
                if sub.bulk:
                    for msg in msgs:
                        await self._deliver_bulk(sub, msg, sessionmaker)
                elif len(msgs) == 1:
                    await self._deliver(sub, msgs[0], sessionmaker)
                elif msgs:
                    await self._deliver_batch(sub, msgs, sessionmaker)
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                log.warning("consumer loop error", durable=sub.durable, error=repr(exc))
                if psub is not None:
                    with contextlib.suppress(Exception):
                        await psub.unsubscribe()
                psub = None
                pending = 0
                await asyncio.sleep(0.5)
                with contextlib.suppress(Exception):
                    await self.ensure_streams()

    async def _lingered(self, psub: JetStreamContext.PullSubscription) -> list[Any]:
        """After one event on a quiet stream: wait `linger_seconds`, then take what came meanwhile (up to `batch` in
        all), to be handled with it in one transaction. The consumer's pending count says how many there are, so
        the server answers at once and nothing is waited for that is not there."""
        await asyncio.sleep(self.settings.linger_seconds)
        if self.settings.batch <= 1:
            return []
        try:
            waiting = (await psub.consumer_info()).num_pending or 0
            if waiting <= 0:
                return []
            return list(await psub.fetch(min(waiting, self.settings.batch - 1), timeout=0.5))
        except Exception as exc:  # the event in hand is handled regardless (not left to its redelivery)
            if not isinstance(exc, TimeoutError | nats.errors.TimeoutError):
                log.warning("linger: could not take what came meanwhile", error=repr(exc)[:200])
            return []

    async def _pull_subscription(self, sub: Subscription) -> JetStreamContext.PullSubscription:
        assert self.js is not None
        config = ConsumerConfig(
            durable_name=sub.durable,
            ack_policy=AckPolicy.EXPLICIT,
            deliver_policy=DeliverPolicy.ALL,
            max_deliver=self.settings.max_deliver,
            ack_wait=self.settings.ack_wait_seconds,
            filter_subject=sub.subject,
        )
        return await self.js.pull_subscribe(
            sub.subject, durable=sub.durable, stream=stream_name(sub.subject.split(".")[0]), config=config
        )

    async def _parse(self, sub: Subscription, msg: Any) -> tuple[Envelope, Event] | None:
        """The envelope and its payload model; an invalid one is dead-lettered at once (None).

        The JSON is parsed by orjson, then validated: pydantic's own JSON parse builds the same envelope in about
        twice the time (a bulk event's thousand items: ~3.0 against ~1.6 µs an item, on every consumer)."""
        try:
            envelope = Envelope.model_validate(orjson.loads(msg.data))
            return envelope, sub.model.model_validate(envelope.data)
        except (ValidationError, orjson.JSONDecodeError) as exc:
            problem = exc.errors()[:3] if isinstance(exc, ValidationError) else f"not JSON ({exc})"
            await self.dead_letter(sub, msg, f"invalid payload: {problem}")
            await msg.term()
            return None

    async def _deliver_bulk(self, sub: Subscription, msg: Any,
                            sessionmaker: async_sessionmaker[AsyncSession]) -> None:
        """A bulk event: its items handled as a batch of that many events (`_deliver_batch`), each under its own
        event id (inbox, causation, change feed); the message is acked once every item is settled."""
        parsed = await self._parse(sub, msg)
        if parsed is None:
            return
        items = bulk_items(*parsed)
        bulk = _BulkMessage(msg, len(items))
        await self._deliver_batch(sub, [], sessionmaker,
                                  parsed=[(_ItemMessage(bulk, env), env, data) for env, data in items])

    async def _deliver(self, sub: Subscription, msg: Any, sessionmaker: async_sessionmaker[AsyncSession],
                       parsed: tuple[Envelope, Event] | None = None) -> None:
        """Validate, skip repeats through the inbox, handle and record in one transaction, then ack. `parsed`: the
        envelope and payload when the caller has them already (a batch's fallback, a bulk event's item)."""
        if parsed is None:
            parsed = await self._parse(sub, msg)
            if parsed is None:
                return
        envelope, data = parsed
        bound = structlog.contextvars.bound_contextvars(event_id=envelope.id, subject=sub.subject,
                                                        correlation_id=envelope.correlationid)
        with event_context(envelope, sub.consumer):
            while True:
                try:
                    with bound:
                        try:
                            await self._handle_once(sub, envelope, data, sessionmaker)
                        except IntegrityError:
                            # A concurrent delivery of the same event may have won the inbox insert; else re-raise.
                            if not await self._seen(sub, envelope.id, sessionmaker):
                                raise
                    await msg.ack()
                except Exception as exc:
                    if is_unavailable(exc) and await self._database_back(sessionmaker, [msg], exc):
                        continue  # the same delivery again: the database's outage is no failure of the event
                    if not self._stopping:
                        await self._failed(sub, msg, envelope.id, exc)
                return

    def _inbox_grew(self, rows: int, sessionmaker: async_sessionmaker[AsyncSession]) -> None:
        """PostgreSQL plans each batch's inbox check (`consumer = … AND event_id IN (…)`) by the table's statistics.
        Stale ones — a bulk load outrunning autovacuum, or a server without it — make it scan every row of the
        consumer instead of the primary key (measured: 60–110 ms a batch at 66,000 rows, growing with the table).
        So a process that has grown the inbox by a fifth since its last ANALYZE (at least ANALYZE_FIRST rows)
        runs one, in the background."""
        self._inbox_rows += rows
        if self._inbox_rows < self._analyze_at or (self._analyzing is not None and not self._analyzing.done()):
            return
        self._analyze_at = int(self._inbox_rows * 1.2) + ANALYZE_FIRST
        self._analyzing = asyncio.create_task(self._analyze_inbox(sessionmaker), name="analyze-inbox")

    async def _analyze_inbox(self, sessionmaker: async_sessionmaker[AsyncSession]) -> None:
        assert self._inbox is not None
        try:
            async with sessionmaker() as session, session.begin():
                conn = await session.connection()
                if conn.dialect.name == "postgresql":
                    await conn.exec_driver_sql(f'ANALYZE "{self._inbox.name}"')
                    log.info("inbox analyzed", rows_written=self._inbox_rows)
        except Exception as exc:  # statistics are an optimisation: never a consumer's failure
            log.warning("inbox analyze failed", error=repr(exc)[:200])

    async def _database_back(self, sessionmaker: async_sessionmaker[AsyncSession], msgs: list[Any],
                             exc: BaseException) -> bool:
        """The database is unreachable (`is_unavailable`): wait for it, keeping `msgs` in progress (JetStream neither
        redelivers them meanwhile nor counts a delivery), so an outage of any length dead-letters nothing. True
        once it answers again; False when the process is stopping (the messages stay unacked: redelivered later)."""
        log.warning("database unavailable, consumer waiting for it", error=repr(exc)[:200], messages=len(msgs))
        # A connection-level database error is certain; a bare connection error or timeout raised by a handler
        # counts only if the database is then seen away (else it is the handler's failure, retried as such).
        seen_away, delay = isinstance(exc, DBAPIError), 0.0
        while not self._stopping:
            await asyncio.sleep(delay)
            delay = min(max(delay * 2, 0.2), 2.0)
            for msg in msgs:
                with contextlib.suppress(Exception):
                    await msg.in_progress()
            try:
                async with sessionmaker() as session:
                    await session.execute(select(1))
            except Exception as again:
                if is_unavailable(again):
                    seen_away = True
                    continue
            if seen_away:
                log.info("database back, consumer going on", messages=len(msgs))
            return seen_away
        return False

    async def _failed(self, sub: Subscription, msg: Any, event_id: str, exc: BaseException) -> None:
        """A handler failed: retry later with backoff, or dead-letter once `max_deliver` deliveries failed."""
        delivered = msg.metadata.num_delivered if msg.metadata else 1
        log.warning("handler failed", durable=sub.durable, event_id=event_id, error=repr(exc), delivered=delivered)
        if delivered >= self.settings.max_deliver:
            await self.dead_letter(sub, msg, repr(exc))
            await msg.term()
        else:
            await msg.nak(delay=min(0.2 * 2**delivered, 10.0))

    async def _deliver_batch(self, sub: Subscription, msgs: list[Any],
                             sessionmaker: async_sessionmaker[AsyncSession],
                             parsed: list[tuple[Any, Envelope, Event]] | None = None) -> None:
        """Handle many messages in one transaction: repeats skipped through one inbox read, each handler in its own
        savepoint, the inbox rows written in one statement, every message acked after the commit.

        A failing handler's savepoint is rolled back and the rest of the batch commits without it. That message is
        then retried alone, in its own transaction, with backoff (dead-lettered once `max_deliver` attempts failed);
        later messages about the same organisation (the CloudEvents `subject`) are held back and handled only after
        it, so per-organisation order holds. If the commit itself fails, every message goes the one-at-a-time way.
        `parsed`: (message, envelope, payload) already decoded, instead of `msgs` (a bulk event's items).
        """
        if parsed is None:
            parsed = []
            for msg in msgs:
                item = await self._parse(sub, msg)
                if item is not None:
                    parsed.append((msg, *item))
        if not parsed:
            return
        inbox = self._inbox
        assert inbox is not None
        done: list[Any] = []  # messages to ack after the commit (handled now, or seen before)
        retry: list[tuple[Any, BaseException]] = []
        held: list[Any] = []  # behind a failed message of the same organisation
        blocked: set[str] = set()
        rows: list[dict[str, Any]] = []
        try:
            async with sessionmaker() as session, session.begin():
                await plan_by_current_size(session)
                await hold_organisations(session, [env.subject for _, env, _ in parsed])
                ids = [env.id for _, env, _ in parsed]
                seen = set() if sub.own_inbox else set((await session.scalars(select(inbox.c.event_id).where(
                    inbox.c.consumer == sub.durable, inbox.c.event_id.in_(ids)))).all())
                now = datetime.now(UTC)
                fresh: list[tuple[Any, Envelope, Event]] = []
                for msg, envelope, data in parsed:
                    if envelope.id in seen:
                        done.append(msg)
                        continue
                    seen.add(envelope.id)  # the same event twice in one batch is handled once
                    fresh.append((msg, envelope, data))
                set_based = sub.batch_handler is not None and len(fresh) > 1
                if set_based and await self._handle_set(sub, session, fresh):
                    handled = fresh
                elif set_based and self._whole_again(fresh[0][0]):
                    # A bulk event's first delivery: tried again whole after the backoff before it is taken apart
                    # item by item (what it waited for, e.g. the registrations its profiles follow, has mostly
                    # arrived by then; a poison item is still found and dead-lettered alone, one delivery later).
                    handled = []
                    retry = [(msg, RuntimeError("the set-based handler failed on the first delivery"))
                             for msg, _, _ in fresh]
                else:
                    handled = []
                    for msg, envelope, data in fresh:
                        key = envelope.subject or ""
                        if key and key in blocked:
                            held.append(msg)
                            continue
                        try:
                            with event_context(envelope, sub.consumer), structlog.contextvars.bound_contextvars(
                                    event_id=envelope.id, subject=sub.subject, correlation_id=envelope.correlationid):
                                async with session.begin_nested():
                                    with self._span(sub, envelope):
                                        await sub.handler(session, data, envelope)
                        except Exception as exc:
                            retry.append((msg, exc))
                            if key:
                                blocked.add(key)
                            continue
                        handled.append((msg, envelope, data))
                for msg, envelope, _ in handled:
                    if not sub.own_inbox:
                        rows.append({"consumer": sub.durable, "event_id": envelope.id, "subject": sub.subject,
                                     "received_at": now})
                    done.append(msg)
                if rows:
                    await insert_rows(session, inbox, rows, copy=True)
        except Exception as exc:
            if is_unavailable(exc) and await self._database_back(sessionmaker, [m for m, _, _ in parsed], exc):
                await self._deliver_batch(sub, msgs, sessionmaker, parsed)  # the whole batch again
                return
            if self._stopping:
                return  # unacked: redelivered after the restart
            log.warning("batch failed, handling one at a time", durable=sub.durable, size=len(parsed),
                        error=repr(exc))
            for msg, envelope, data in parsed:
                await self._deliver(sub, msg, sessionmaker, (envelope, data))
            return
        for msg in done:
            await msg.ack()
        self._inbox_grew(len(rows), sessionmaker)
        by_msg = {id(msg): (env, data) for msg, env, data in parsed}
        delivered = retry[0][0].metadata.num_delivered if retry and retry[0][0].metadata else 1
        if retry and isinstance(retry[0][0], _ItemMessage) and delivered < self.settings.max_deliver:
            # A bulk event's failed items go back with the bulk message: redelivered after the backoff, the items
            # handled now skipped by their inbox rows. Not retried here one after another: items waiting for an
            # earlier event (credit's profiles opened ahead of the registrations they follow) would each hold the
            # consumer for its backoff. At the last delivery they are retried and dead-lettered alone, below.
            # Later messages on this durable do not wait for the redelivery: every bulk subject carries an
            # organisation's first event of its kind (registered, profile opened, record opened), once each.
            delay = min(0.2 * 2**delivered, 10.0)
            for msg, _ in retry:
                await msg.nak(delay=delay)
            for msg in held:  # behind a failed item of the same organisation: again after it, in order
                await msg.nak(delay=delay)
            log.warning("bulk items failed, the bulk event redelivered", durable=sub.durable, failed=len(retry),
                        held=len(held), delivered=delivered, retry_in=delay, error=repr(retry[0][1]))
            return
        for msg, failure in retry:
            envelope, data = by_msg[id(msg)]
            await self._retry_alone(sub, msg, envelope, data, failure, sessionmaker)
            for other in [m for m in held if (by_msg[id(m)][0].subject or "") == envelope.subject]:
                held.remove(other)
                other_env, other_data = by_msg[id(other)]
                try:
                    with event_context(other_env, sub.consumer):
                        await self._handle_once(sub, other_env, other_data, sessionmaker)
                    await other.ack()
                except Exception as other_exc:
                    await self._retry_alone(sub, other, other_env, other_data, other_exc, sessionmaker)

    def _whole_again(self, msg: Any) -> bool:
        """A bulk event's item on the bulk message's first delivery, with deliveries left after the next one."""
        return (isinstance(msg, _ItemMessage) and msg.metadata is not None and msg.metadata.num_delivered == 1
                and self.settings.max_deliver > 2)

    async def _handle_set(self, sub: Subscription, session: AsyncSession,
                          fresh: list[tuple[Any, Envelope, Event]]) -> bool:
        """The batch's new events through the subscription's set-based handler, in one savepoint. False when it
        failed: the savepoint is rolled back and the caller handles the events one by one (each in its own
        savepoint), so a poison event is found, retried and dead-lettered alone as ever."""
        assert sub.batch_handler is not None
        try:
            with structlog.contextvars.bound_contextvars(subject=sub.subject, batch=len(fresh)):
                async with session.begin_nested():
                    with handling(sub.consumer):
                        await sub.batch_handler(session, [(data, envelope) for _, envelope, data in fresh])
        except Exception as exc:
            log.warning("set-based handler failed, handling the batch one by one", durable=sub.durable,
                        size=len(fresh), error=repr(exc))
            return False
        return True

    async def _retry_alone(self, sub: Subscription, msg: Any, envelope: Envelope, data: Event, exc: BaseException,
                           sessionmaker: async_sessionmaker[AsyncSession]) -> None:
        """Retry one failed message in its own transaction with backoff until it succeeds (ack) or `max_deliver`
        attempts in all have failed (dead letter). Counted with the deliveries JetStream already made."""
        attempts = msg.metadata.num_delivered if msg.metadata else 1
        log.warning("handler failed in a batch, retrying alone", durable=sub.durable, event_id=envelope.id,
                    error=repr(exc), attempt=attempts)
        while attempts < self.settings.max_deliver and not self._stopping:
            await asyncio.sleep(min(0.2 * 2**attempts, 5.0))
            with contextlib.suppress(Exception):
                await msg.in_progress()  # keep the server from redelivering it meanwhile
            attempts += 1
            try:
                with event_context(envelope, sub.consumer):
                    await self._handle_once(sub, envelope, data, sessionmaker)
            except IntegrityError as again:
                if not await self._seen(sub, envelope.id, sessionmaker):
                    exc = again
                    continue
            except Exception as again:
                exc = again
                if is_unavailable(again) and await self._database_back(sessionmaker, [msg], again):
                    attempts -= 1  # the outage is not an attempt of the event
                    continue
                log.warning("handler failed", durable=sub.durable, event_id=envelope.id, error=repr(again),
                            attempt=attempts)
                continue
            await msg.ack()
            return
        if self._stopping:
            return  # not acked: JetStream redelivers it after the restart
        await self.dead_letter(sub, msg, repr(exc))
        await msg.term()

    def _span(self, sub: Subscription, envelope: Envelope) -> contextlib.AbstractContextManager[object]:
        """The handler's CONSUMER span, a child of the span that emitted the event (its `traceparent`)."""
        return tracing.consumer_span(tracing.tracer(self.name), sub.subject, sub.durable, envelope.id,
                                     envelope.traceparent, envelope.tracestate)

    async def _seen(self, sub: Subscription, event_id: str, sessionmaker: async_sessionmaker[AsyncSession]) -> bool:
        """The event has its inbox row (a concurrent delivery handled it). Never for an `own_inbox` durable: its
        handler's own check skips the event when it is retried."""
        if sub.own_inbox:
            return False
        inbox = self._inbox
        assert inbox is not None
        async with sessionmaker() as session:
            found = await session.scalar(
                select(inbox.c.event_id).where(inbox.c.consumer == sub.durable, inbox.c.event_id == event_id))
        return found is not None

    async def _handle_once(self, sub: Subscription, envelope: Envelope, data: Event,
                           sessionmaker: async_sessionmaker[AsyncSession]) -> None:
        assert self._inbox_stmts is not None
        seen_stmt, insert_stmt = self._inbox_stmts
        async with sessionmaker() as session, session.begin():
            await hold_organisations(session, [envelope.subject])
            if not sub.own_inbox:
                seen = await session.scalar(seen_stmt, {"consumer": sub.durable, "event_id": envelope.id})
                if seen is not None:
                    log.info("repeat delivery skipped", event_id=envelope.id, durable=sub.durable)
                    return
            with self._span(sub, envelope):
                await sub.handler(session, data, envelope)
            if not sub.own_inbox:
                await session.execute(insert_stmt, {"consumer": sub.durable, "event_id": envelope.id,
                                                    "subject": sub.subject, "received_at": datetime.now(UTC)})

    async def dead_letter(self, sub: Subscription, msg: Any, reason: str) -> None:
        assert self.js is not None
        headers = {"Yishe-Original-Subject": msg.subject, "Yishe-Error": reason[:500]}
        if isinstance(msg, _ItemMessage):  # the item alone, as the single event it stands for
            headers["Yishe-Bulk-Subject"] = msg.bulk.msg.subject
        await self.js.publish(f"{DLQ_PREFIX}.{sub.durable}", msg.data, headers=headers)
        log.error("dead-lettered", durable=sub.durable, reason=reason[:200])

    async def acked_through(self, sub_durable: str, subject: str, seq: int) -> bool:
        """True once the durable consumer's ack floor has reached stream sequence `seq`."""
        assert self.js is not None
        info = await self.js.consumer_info(stream_name(subject.split(".")[0]), sub_durable)
        return bool(info.ack_floor is not None and info.ack_floor.stream_seq >= seq)

    async def consumer_stats(self) -> list[tuple[str, int, int, int]]:
        """(durable, pending, ack pending, redelivered) of each durable this process consumes, from JetStream's
        consumer info (the metrics' consumer lag)."""
        if self.js is None or not self.connected:
            return []
        stats = []
        for sub in self._durables:
            try:
                info = await self.js.consumer_info(stream_name(sub.subject.split(".")[0]), sub.durable)
            except nats.js.errors.NotFoundError:
                continue  # not created yet (the consumer loop creates it once NATS answers)
            stats.append((sub.durable, info.num_pending or 0, info.num_ack_pending or 0, info.num_redelivered or 0))
        return stats

    async def dlq_depths(self) -> dict[str, int]:
        """Dead-lettered messages held in the DLQ stream for each of this process's durables."""
        if self.js is None or not self.connected or not self._durables:
            return {}
        info = await self.js.stream_info(DLQ_STREAM, subjects_filter=f"{DLQ_PREFIX}.>")
        held = info.state.subjects or {}
        return {sub.durable: int(held.get(f"{DLQ_PREFIX}.{sub.durable}", 0)) for sub in self._durables}

    async def close(self) -> None:
        self._stopping = True
        tasks = [*self._tasks, *([self._analyzing] if self._analyzing is not None else [])]
        await stop_tasks(tasks)
        self._tasks.clear()
        self._purging = None
        if self.nc is not None:
            with contextlib.suppress(Exception):
                await self.nc.close()

