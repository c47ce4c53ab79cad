"""Lingering consumers (issue 11 item 6): a consumer whose result no one waits for at that moment waits after an
event on a quiet stream and takes what came meanwhile in the same transaction. Real NATS, real database."""

from __future__ import annotations

import nats
import pytest

from yishe_kit.bus import Bus
from yishe_kit.settings import NatsSettings
from yishe_kit.testing import eventually

from .test_bus_batch import INBOX, keeping_latest, publish_all, registrations


async def handled(url: str, sessionmaker, linger: float) -> tuple[list, dict[str, int], list]:
    """One event on a quiet stream, then four more at once (inside a 2 s linger): what the consumer applied, its
    one-by-one and set-based calls, and the events."""
    tag = f"L{int(linger)}"
    applied: list[tuple[str, str]] = []
    calls = {"one": 0, "batch": 0}
    sub = keeping_latest(tag, applied, calls, batch=True)
    envelopes = registrations(5, 1, tag)
    await publish_all(url, [])  # the streams exist; none of another case's events left in them
    nc = await nats.connect(url)
    await nc.jetstream().purge_stream("REGISTRY")
    await nc.close()
    bus = Bus(NatsSettings(url=url, linger_seconds=linger), name="kit-test")
    await bus.connect()
    bus.start_consumers([sub], sessionmaker, INBOX)
    try:
        async def waiting() -> bool:  # the durable exists: its first pull is out
            try:
                await bus.acked_through(sub.durable, sub.subject, 0)
            except nats.js.errors.NotFoundError:
                return False
            return True

        await eventually(waiting, timeout=30)
        await publish_all(url, envelopes[:1])
        if linger == 0:
            async def first_handled() -> bool:
                return len(applied) == 1

            await eventually(first_handled, timeout=30)
        seq = await publish_all(url, envelopes[1:])

        async def all_acked() -> bool:
            return await bus.acked_through(sub.durable, sub.subject, seq)

        await eventually(all_acked, timeout=60)
    finally:
        await bus.close()
    return applied, calls, envelopes


@pytest.mark.nats
async def test_a_lingering_consumer_takes_what_came_meanwhile_with_the_first_event(nats_server, sessionmaker) -> None:
    """Issue 11 item 6: a consumer whose result no one waits for at that moment lingers (`linger_seconds`) after an
    event on a quiet stream and handles it with the events that came meanwhile, in one transaction; without the
    linger the first event of a quiet stream is handled alone, at once."""
    for linger in (2.0, 0.0):
        applied, calls, envelopes = await handled(nats_server.url, sessionmaker, linger)
        assert sorted(applied) == sorted((e.data["uscc"], e.data["name"]) for e in envelopes)
        if linger:
            assert calls == {"one": 0, "batch": 1}  # the five in one transaction
        else:
            assert calls["one"] >= 1  # the first alone, at once (the rest as they came)

