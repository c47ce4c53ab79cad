"""The bus's set-based form (issue 11, consumers at bulk rate): a `batch_handler` takes every new event of a batch at
once, with the guarantees of the one-by-one path (exactly-once effect through the inbox, ack after commit, a failing
event retried and dead-lettered alone, per-organisation order). Real NATS, real database (SQLite or PostgreSQL)."""

from __future__ import annotations

import uuid

import nats
import pytest
from sqlalchemy import delete, func, insert, select

from yishe_contracts.envelope import Envelope
from yishe_contracts.events.registry import OrganisationRegistered
from yishe_kit.bus import Bus, Subscription
from yishe_kit.settings import NatsSettings
from yishe_kit.testing import eventually

from .conftest import metadata
from .test_bus_and_relay import an_event

pytestmark = pytest.mark.nats
INBOX, THING = metadata.tables["inbox"], metadata.tables["thing"]


def keeping_latest(tag: str, applied: list[tuple[str, str]], calls: dict[str, int], *, batch: bool,
                   ) -> Subscription:
    """A consumer keeping each organisation's latest name in `thing` (`tag:uscc`), one by one or set-based (then
    `batch` also gives the set-based form). `applied`: (uscc, name) in the order they took effect. A name with
    "poison" always fails."""

    async def handler(session, event, envelope):
        calls["one"] += 1
        if "poison" in event.name:
            raise RuntimeError("poison event")
        key = f"{tag}:{event.uscc}"
        await session.execute(delete(THING).where(THING.c.thing_id == key))
        await session.execute(insert(THING).values(thing_id=key, name=event.name))
        applied.append((event.uscc, event.name))

    async def batch_handler(session, items):
        calls["batch"] += 1
        if any("poison" in event.name for event, _ in items):
            raise RuntimeError("poison event in the batch")
        latest = {f"{tag}:{event.uscc}": event.name for event, _ in items}  # in order: the last one wins
        await session.execute(delete(THING).where(THING.c.thing_id.in_(sorted(latest))))
        await session.execute(insert(THING), [{"thing_id": k, "name": v} for k, v in latest.items()])
        applied.extend((event.uscc, event.name) for event, _ in items)

    return Subscription(OrganisationRegistered.subject_name, OrganisationRegistered, handler,
                        f"kitset{uuid.uuid4().hex[:8]}", batch_handler if batch else None)


def registrations(n_orgs: int, versions: int, tag: str) -> list[Envelope]:
    """`versions` events about each of `n_orgs` organisations, interleaved (org 0 v0, org 1 v0, …, org 0 v1, …)."""
    return [Envelope.wrap(an_event(i).model_copy(update={"uscc": f"51330300{tag}{i:08d}", "name": f"协会{i}-v{v}"}),
                          source="registry")
            for v in range(versions) for i in range(n_orgs)]


async def publish_all(url: str, envelopes: list[Envelope], *, twice: bool = False, copies: tuple[str, ...] = ("a",),
                      ) -> int:
    """Publish before any consumer runs (so they wait and come in batches); returns the last stream sequence.
    `copies`: the message-id prefixes each event goes out under (`twice`: two)."""
    declaring = Bus(NatsSettings(url=url), name="kit-test-streams")
    await declaring.connect()  # the streams
    await declaring.close()
    nc = await nats.connect(url)
    js = nc.jetstream()
    seq = 0
    for env in envelopes:
        for copy in ("a", "b") if twice else copies:
            seq = (await js.publish(env.type, env.to_json_bytes(), headers={"Nats-Msg-Id": f"{copy}-{env.id}"})).seq
    await nc.close()
    return seq


async def consume(url: str, subs: list[Subscription], sessionmaker, seq: int, **settings) -> Bus:
    bus = Bus(NatsSettings(url=url, **settings), name="kit-test")
    await bus.connect()
    bus.start_consumers(subs, sessionmaker, INBOX)

    async def all_acked() -> bool:
        for sub in subs:
            try:
                if not await bus.acked_through(sub.durable, sub.subject, seq):
                    return False
            except nats.js.errors.NotFoundError:  # the durable is being created
                return False
        return True

    try:
        await eventually(all_acked, timeout=60)
    finally:
        await bus.close()
    return bus


async def names(sessionmaker, tag: str) -> dict[str, str]:
    async with sessionmaker() as s:
        rows = (await s.execute(select(THING.c.thing_id, THING.c.name).where(THING.c.thing_id.like(f"{tag}:%")))).all()
    return {k.split(":", 1)[1]: v for k, v in rows}


async def test_set_based_batches_leave_the_state_of_one_by_one_in_per_organisation_order(
        nats_server, sessionmaker) -> None:
    """Issue 11 (bulk rate): the same events through the set-based form and through the one-by-one handler give the
    same state; every organisation's events take effect in stream order; the set-based form took the batches."""
    envelopes = registrations(120, 3, "MA")
    seq = await publish_all(nats_server.url, envelopes)
    one_applied: list[tuple[str, str]] = []
    set_applied: list[tuple[str, str]] = []
    one_calls = {"one": 0, "batch": 0}
    set_calls = {"one": 0, "batch": 0}
    one = keeping_latest("one", one_applied, one_calls, batch=False)
    many = keeping_latest("set", set_applied, set_calls, batch=True)
    await consume(nats_server.url, [one, many], sessionmaker, seq)
    by_one, by_set = await names(sessionmaker, "one"), await names(sessionmaker, "set")
    assert by_one == by_set and len(by_set) == 120
    assert set(by_set.values()) == {f"协会{i}-v2" for i in range(120)}
    assert set_calls["batch"] >= 1 and set_calls["one"] < len(envelopes) / 4  # batches, set-based
    for applied in (one_applied, set_applied):
        for i in range(0, 120, 7):
            uscc = f"51330300MA{i:08d}"
            assert [n for u, n in applied if u == uscc] == [f"协会{i}-v{v}" for v in range(3)]
    async with sessionmaker() as s:
        for sub in (one, many):
            assert await s.scalar(select(func.count()).select_from(INBOX).where(
                INBOX.c.consumer == sub.durable, INBOX.c.event_id.in_([e.id for e in envelopes]))) == len(envelopes)


async def test_set_based_batches_take_a_redelivered_event_once(nats_server, sessionmaker) -> None:
    """Issue 11: every event published twice (two message ids, past JetStream's dedupe): the inbox keeps the
    set-based form's effect to once per event, in the same batch or a later one."""
    envelopes = registrations(150, 1, "MB")
    seq = await publish_all(nats_server.url, envelopes, twice=True)
    applied: list[tuple[str, str]] = []
    calls = {"one": 0, "batch": 0}
    sub = keeping_latest("dup", applied, calls, batch=True)
    await consume(nats_server.url, [sub], sessionmaker, seq)
    mine = [(u, n) for u, n in applied if "MB" in u]  # the module's stream also holds earlier tests' events
    assert sorted(mine) == sorted((e.subject, e.data["name"]) for e in envelopes)  # each exactly once
    async with sessionmaker() as s:
        assert await s.scalar(select(func.count()).select_from(INBOX).where(
            INBOX.c.consumer == sub.durable, INBOX.c.event_id.in_([e.id for e in envelopes]))) == len(envelopes)


async def test_poison_event_in_a_set_based_batch_is_retried_and_dead_lettered_alone_in_order(
        nats_server, sessionmaker) -> None:
    """Issue 11: a batch holding an event that always fails: the set-based form's savepoint is rolled back, the
    batch goes one by one, every other event commits, the poison event alone is retried and dead-lettered, and the
    next event about its organisation takes effect only after it (per-organisation order)."""
    envelopes = registrations(200, 1, "MC")
    bad_uscc = envelopes[37].subject
    envelopes[37] = Envelope.wrap(an_event(37).model_copy(update={"uscc": bad_uscc, "name": "协会37-poison"}),
                                  source="registry")
    after = Envelope.wrap(an_event(37).model_copy(update={"uscc": bad_uscc, "name": "协会37-after"}),
                          source="registry")
    envelopes.append(after)
    seq = await publish_all(nats_server.url, envelopes)
    applied: list[tuple[str, str]] = []
    calls = {"one": 0, "batch": 0}
    sub = keeping_latest("poison", applied, calls, batch=True)
    bus = await consume(nats_server.url, [sub], sessionmaker, seq, max_deliver=3)
    bus2 = Bus(NatsSettings(url=nats_server.url), name="kit-test-dlq")
    await bus2.connect()
    try:
        dead = await bus2.js.get_last_msg("DLQ", f"dlq.{sub.durable}")
        info = await bus2.js.stream_info("DLQ", subjects_filter=f"dlq.{sub.durable}")
    finally:
        await bus2.close()
    assert bus is not None
    assert Envelope.model_validate_json(dead.data).id == envelopes[37].id
    assert (info.state.subjects or {}).get(f"dlq.{sub.durable}") == 1  # that one alone
    assert [n for u, n in applied if u == bad_uscc] == ["协会37-after"]
    kept = await names(sessionmaker, "poison")
    assert len([u for u in kept if "MC" in u]) == 200 and kept[bad_uscc] == "协会37-after"
    async with sessionmaker() as s:
        ids = [e.id for e in envelopes]
        assert await s.scalar(select(func.count()).select_from(INBOX).where(
            INBOX.c.consumer == sub.durable, INBOX.c.event_id.in_(ids))) == len(envelopes) - 1


async def test_a_durable_with_its_own_inbox_takes_a_redelivered_event_once_without_inbox_rows(
        nats_server, sessionmaker) -> None:
    """Issue 11 (`own_inbox`, the gateway's feed): handlers that record each event under its id themselves, and skip
    one already recorded, take every event published twice once; the bus reads and writes no inbox row for them."""
    envelopes = registrations(150, 1, "MO")
    offered: list[str] = []  # every event id the bus gave the handlers: repeats reach them, the inbox is theirs

    async def record(session, items) -> None:
        ids = [envelope.id for _, envelope in items]
        offered.extend(ids)
        known = set((await session.scalars(select(THING.c.thing_id).where(THING.c.thing_id.in_(ids)))).all())
        fresh = {envelope.id: event.name for event, envelope in items if envelope.id not in known}
        if fresh:
            await session.execute(insert(THING), [{"thing_id": k, "name": v} for k, v in fresh.items()])

    async def record_one(session, event, envelope) -> None:
        await record(session, [(event, envelope)])

    sub = Subscription(OrganisationRegistered.subject_name, OrganisationRegistered, record_one,
                       f"kitown{uuid.uuid4().hex[:8]}", record, own_inbox=True)
    # Each event twice: in one batch (the bus takes it once) and again after the first was committed (a later
    # batch: only the handlers' own check stands between it and a second entry).
    await consume(nats_server.url, [sub], sessionmaker, await publish_all(nats_server.url, envelopes, twice=True))
    await consume(nats_server.url, [sub], sessionmaker, await publish_all(nats_server.url, envelopes, copies=("c",)))
    ids = [e.id for e in envelopes]
    async with sessionmaker() as s:
        stored = (await s.execute(select(THING.c.thing_id, THING.c.name).where(THING.c.thing_id.in_(ids)))).all()
        inbox_rows = await s.scalar(select(func.count()).select_from(INBOX).where(INBOX.c.consumer == sub.durable))
    assert sorted(stored) == sorted((e.id, e.data["name"]) for e in envelopes)  # each exactly once
    assert inbox_rows == 0
    mine = [i for i in offered if i in set(ids)]  # the module's stream also holds earlier tests' events
    assert sorted(set(mine)) == sorted(ids) and len(mine) > len(ids)  # repeats reached the handlers
