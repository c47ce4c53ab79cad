"""JetStream bus: connection that survives NATS restarts, stream topology, publish, durable consumers with inbox."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import nats
import structlog
from nats.aio.client import Client as NATS
from nats.js import JetStreamContext
from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy, StreamConfig
from pydantic import ValidationError
from sqlalchemy import Table, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from yishe_contracts.envelope import Envelope, Event
from yishe_contracts.subjects import DLQ_PREFIX, DLQ_STREAM, OWNERS, stream_name

from .logging import causation_id_var, correlation_id_var
from .settings import NatsSettings

log = structlog.get_logger("yishe.bus")

DUPLICATE_WINDOW_S = 120.0
Handler = Callable[[AsyncSession, Any, Envelope], Awaitable[None]]


def stream_configs() -> list[StreamConfig]:
    """One stream per owning service plus the dead-letter stream (mirrors deploy/nats/streams/*.json)."""
    configs = [
        StreamConfig(name=stream_name(o), subjects=[f"{o}.>"], duplicate_window=DUPLICATE_WINDOW_S,
                     max_age=365 * 86400.0)
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

    @property
    def durable(self) -> str:
        return f"{self.consumer}-{self.subject.replace('.', '-')}"


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

    def start_consumers(self, subs: list[Subscription], sessionmaker: async_sessionmaker[AsyncSession],
                        inbox: Table) -> None:
        self._inbox = inbox
        for sub in subs:
            self._tasks.append(asyncio.create_task(self._consume(sub, sessionmaker), name=sub.durable))

    async def _consume(self, sub: Subscription, sessionmaker: async_sessionmaker[AsyncSession]) -> None:
        await self.ready.wait()
        psub = None
        while not self._stopping:
            try:
                if psub is None:
                    psub = await self._pull_subscription(sub)
                try:
                    # One at a time: nats-py's fetch(n > 1) holds a message until n arrive or the request
                    # expires (measured: +0.5 s per event), and the handler, not the pull, is the cost here.
                    msgs = await psub.fetch(1, timeout=5)
                except (TimeoutError, nats.errors.TimeoutError):
                    continue
                for msg in msgs:
                    await self._deliver(sub, msg, sessionmaker)
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                log.warning("consumer loop error", durable=sub.durable, error=repr(exc))
                if psub is not None:
                    with contextlib.suppress(Exception):
                        await psub.unsubscribe()
                psub = None
                await asyncio.sleep(0.5)
                with contextlib.suppress(Exception):
                    await self.ensure_streams()

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

    async def _deliver(self, sub: Subscription, msg: Any, sessionmaker: async_sessionmaker[AsyncSession]) -> None:
        """Validate, skip repeats through the inbox, handle and record in one transaction, then ack."""
        try:
            envelope = Envelope.model_validate_json(msg.data)
            data = sub.model.model_validate(envelope.data)
        except ValidationError as exc:
            await self.dead_letter(sub, msg, f"invalid payload: {exc.errors()[:3]}")
            await msg.term()
            return
        bound = structlog.contextvars.bound_contextvars(event_id=envelope.id, subject=sub.subject,
                                                        correlation_id=envelope.correlationid)
        tokens = (correlation_id_var.set(envelope.correlationid), causation_id_var.set(envelope.id))
        try:
            with bound:
                try:
                    await self._handle_once(sub, envelope, data, sessionmaker)
                except IntegrityError:
                    # A concurrent delivery of the same event may have won the inbox insert; otherwise re-raise.
                    if not await self._seen(sub, envelope.id, sessionmaker):
                        raise
            await msg.ack()
        except Exception as exc:
            delivered = msg.metadata.num_delivered if msg.metadata else 1
            log.warning("handler failed", durable=sub.durable, event_id=envelope.id, error=repr(exc),
                        delivered=delivered)
            if delivered >= self.settings.max_deliver:
                await self.dead_letter(sub, msg, repr(exc))
                await msg.term()
            else:
                await msg.nak(delay=min(0.2 * 2**delivered, 10.0))
        finally:
            correlation_id_var.reset(tokens[0])
            causation_id_var.reset(tokens[1])

    async def _seen(self, sub: Subscription, event_id: str, sessionmaker: async_sessionmaker[AsyncSession]) -> bool:
        inbox = self._inbox
        async with sessionmaker() as session:
            found = await session.scalar(
                select(inbox.c.event_id).where(inbox.c.consumer == sub.durable, inbox.c.event_id == event_id))
        return found is not None

    async def _handle_once(self, sub: Subscription, envelope: Envelope, data: Event,
                           sessionmaker: async_sessionmaker[AsyncSession]) -> None:
        inbox = self._inbox
        async with sessionmaker() as session, session.begin():
            seen = await session.scalar(
                select(inbox.c.event_id).where(inbox.c.consumer == sub.durable, inbox.c.event_id == envelope.id)
            )
            if seen is not None:
                log.info("repeat delivery skipped", event_id=envelope.id, durable=sub.durable)
                return
            await sub.handler(session, data, envelope)
            await session.execute(
                insert(inbox).values(consumer=sub.durable, event_id=envelope.id, subject=sub.subject,
                                     received_at=datetime.now(UTC))
            )

    async def dead_letter(self, sub: Subscription, msg: Any, reason: str) -> None:
        assert self.js is not None
        headers = {"Yishe-Original-Subject": msg.subject, "Yishe-Error": reason[:500]}
        await self.js.publish(f"{DLQ_PREFIX}.{sub.durable}", msg.data, headers=headers)
        log.error("dead-lettered", durable=sub.durable, reason=reason[:200])

    async def acked_through(self, sub_durable: str, subject: str, seq: int) -> bool:
        """True once the durable consumer's ack floor has reached stream sequence `seq`."""
        assert self.js is not None
        info = await self.js.consumer_info(stream_name(subject.split(".")[0]), sub_durable)
        return info.ack_floor.stream_seq >= seq

    async def close(self) -> None:
        self._stopping = True
        for t in self._tasks:
            t.cancel()
        for t in self._tasks:
            with contextlib.suppress(BaseException):
                await t
        self._tasks.clear()
        if self.nc is not None:
            with contextlib.suppress(Exception):
                await self.nc.close()

