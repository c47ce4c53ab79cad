"""Bulk events (issue 11, bulk at city scale): a message carrying many items (`Event.bulk_item`, e.g.
`registry.organisations.imported.v1`) is handled as that many single events — the same handlers, each item under
its own event id (inbox), redelivery doubling nothing, a failing item retried and dead-lettered alone as the single
event it stands for, the message acked once every item is settled. Real NATS, real database (SQLite or PostgreSQL)."""

from __future__ import annotations

import uuid

import nats
import pytest
from sqlalchemy import func, insert, select

from yishe_contracts.envelope import Envelope, bulk_item_id, bulk_items
from yishe_contracts.events.registry import OrganisationRegistered, OrganisationsImported
from yishe_kit.bus import Bus, Subscription
from yishe_kit.settings import NatsSettings

from .test_bus_and_relay import an_event
from .test_bus_batch import INBOX, THING, consume, keeping_latest, names, publish_all

pytestmark = pytest.mark.nats


def as_bulk(sub: Subscription) -> Subscription:
    """The same consumer's handlers on the bulk subject (as yishe_kit.context.subscriptions wires every `On`)."""
    return Subscription(OrganisationsImported.subject_name, OrganisationsImported, sub.handler, sub.consumer,
                        sub.batch_handler)


def organisations(n: int, tag: str, *, poison: int | None = None) -> list[OrganisationRegistered]:
    return [an_event(i).model_copy(update={"uscc": f"51330300{tag}{i:08d}",
                                           "name": f"协会{i}-poison" if i == poison else f"协会{i}-v0"})
            for i in range(n)]


def bulk(orgs: list[OrganisationRegistered], size: int) -> list[Envelope]:
    return [Envelope.wrap(OrganisationsImported(batch_id=7, organisations=orgs[i:i + size]), source="registry")
            for i in range(0, len(orgs), size)]


def item_ids(envelopes: list[Envelope]) -> list[str]:
    return [bulk_item_id(env.id, i) for env in envelopes for i in range(len(env.data["organisations"]))]


async def inbox_count(sessionmaker, sub: Subscription, ids: list[str]) -> int:
    async with sessionmaker() as s:
        return await s.scalar(select(func.count()).select_from(INBOX).where(
            INBOX.c.consumer == sub.durable, INBOX.c.event_id.in_(ids)))


def test_bulk_items_stand_for_the_single_events() -> None:
    """Each item: the single event's type, its organisation as subject, its own effective date (the registration
    date), the bulk event's source, time and correlation; an id fixed by the bulk id and position (stable)."""
    orgs = organisations(3, "MK")
    orgs[1] = orgs[1].model_copy(update={"registration_date": orgs[1].registration_date.replace(year=2015)})
    env = Envelope.wrap(OrganisationsImported(organisations=orgs), source="registry", correlation_id="c-1")
    env = Envelope.model_validate_json(env.to_json_bytes())  # as a consumer receives it
    items = bulk_items(env, OrganisationsImported.model_validate(env.data))
    assert [e.type for e, _ in items] == [OrganisationRegistered.subject_name] * 3
    assert [e.subject for e, _ in items] == [o.uscc for o in orgs]
    assert [e.effective_day() for e, _ in items] == [o.registration_date for o in orgs]
    assert [d for _, d in items] == orgs
    assert len({e.id for e, _ in items}) == 3 and all(e.id != env.id for e, _ in items)
    assert [e.id for e, _ in bulk_items(env, OrganisationsImported.model_validate(env.data))] == \
        [e.id for e, _ in items]
    single = Envelope.wrap(orgs[0], source="registry")
    assert items[0][0].data == single.data and items[0][0].source == single.source == env.source
    assert {e.correlationid for e, _ in items} == {"c-1"} and {e.time for e, _ in items} == {env.time}


async def test_bulk_events_leave_the_state_of_single_events(nats_server, sessionmaker) -> None:
    """Issue 11: 300 organisations in bulk events of 64 reach the state 300 single registrations reach, through
    the set-based form and through the one-by-one handler; one inbox row per organisation, under its item id."""
    orgs = organisations(300, "MD")
    bulks = bulk(orgs, 64)
    seq = await publish_all(nats_server.url, bulks)
    applied_set: list[tuple[str, str]] = []
    applied_one: list[tuple[str, str]] = []
    calls_set = {"one": 0, "batch": 0}
    calls_one = {"one": 0, "batch": 0}
    many = as_bulk(keeping_latest("bset", applied_set, calls_set, batch=True))
    one = as_bulk(keeping_latest("bone", applied_one, calls_one, batch=False))
    await consume(nats_server.url, [many, one], sessionmaker, seq)
    expected = {o.uscc: o.name for o in orgs}
    mine = {}
    for tag in ("bset", "bone"):  # the module's stream may also hold other tests' events
        mine[tag] = {u: n for u, n in (await names(sessionmaker, tag)).items() if "MD" in u}
    assert mine["bset"] == expected == mine["bone"]
    assert calls_set["one"] == 0 and calls_set["batch"] >= len(bulks)  # set-based, one call per bulk event
    assert len([u for u, _ in applied_one if "MD" in u]) == 300
    for sub in (many, one):
        assert await inbox_count(sessionmaker, sub, item_ids(bulks)) == 300


async def test_a_redelivered_bulk_event_doubles_nothing(nats_server, sessionmaker) -> None:
    """Issue 11: every bulk event published twice (past JetStream's dedupe): each organisation's registration is
    applied once; the inbox holds one row per item."""
    orgs = organisations(200, "ME")
    bulks = bulk(orgs, 50)
    seq = await publish_all(nats_server.url, bulks, twice=True)
    applied: list[tuple[str, str]] = []
    calls = {"one": 0, "batch": 0}
    sub = as_bulk(keeping_latest("bdup", applied, calls, batch=True))
    await consume(nats_server.url, [sub], sessionmaker, seq)
    mine = [(u, n) for u, n in applied if "ME" in u]  # the module's stream also holds earlier tests' events
    assert sorted(mine) == sorted((o.uscc, o.name) for o in orgs)  # each exactly once
    assert await inbox_count(sessionmaker, sub, item_ids(bulks)) == 200


async def test_a_failing_item_of_a_bulk_event_is_retried_and_dead_lettered_alone(nats_server, sessionmaker) -> None:
    """Issue 11: a bulk event holding one item that always fails: every other item commits, the failing one alone
    is retried, then dead-lettered as the single event it stands for (its own item id and type); the bulk message
    is acked (nothing redelivered for ever) and the item has no inbox row."""
    orgs = organisations(120, "MF", poison=77)
    bulks = bulk(orgs, 60)
    seq = await publish_all(nats_server.url, bulks)
    applied: list[tuple[str, str]] = []
    calls = {"one": 0, "batch": 0}
    sub = as_bulk(keeping_latest("bpoison", applied, calls, batch=True))
    await consume(nats_server.url, [sub], sessionmaker, seq, max_deliver=3)  # waits for the ack floor
    bus = Bus(NatsSettings(url=nats_server.url), name="kit-test-dlq")
    await bus.connect()
    try:
        assert bus.js is not None
        dead = await bus.js.get_last_msg("DLQ", f"dlq.{sub.durable}")
        info = await bus.js.stream_info("DLQ", subjects_filter=f"dlq.{sub.durable}")
        pending = await bus.js.consumer_info("REGISTRY", sub.durable)
    finally:
        await bus.close()
    letter = Envelope.model_validate_json(dead.data)
    assert letter.id == bulk_item_id(bulks[1].id, 17) and letter.type == OrganisationRegistered.subject_name
    assert letter.subject == orgs[77].uscc and dead.headers["Yishe-Original-Subject"] == letter.type
    assert (info.state.subjects or {}).get(f"dlq.{sub.durable}") == 1
    assert pending.num_pending == 0 and pending.num_ack_pending == 0
    kept = await names(sessionmaker, "bpoison")
    assert len([u for u in kept if "MF" in u]) == 119 and orgs[77].uscc not in kept
    ids = item_ids(bulks)
    assert await inbox_count(sessionmaker, sub, ids) == 119
    assert await inbox_count(sessionmaker, sub, [ids[77]]) == 0


async def _keep(session, tag: str, event: OrganisationRegistered) -> None:
    await session.execute(insert(THING).values(thing_id=f"{tag}:{event.uscc}", name=event.name))


async def test_bulk_items_waiting_for_an_earlier_event_come_back_with_the_bulk_message(nats_server,
                                                                                        sessionmaker) -> None:
    """Issue 11 (bulk cascades): items that fail because what they follow has not arrived yet (credit's profiles
    opened ahead of the registrations in another consumer) are not retried one after another while the consumer
    waits: the bulk message is redelivered, and the items left are taken together by the set-based form then,
    each once; per-organisation order kept; nothing dead-lettered."""
    orgs = organisations(60, "MG")
    late = {o.uscc for o in orgs[10:40]}  # their earlier event "arrives" only after the first delivery
    bulks = bulk(orgs, 60)
    seq = await publish_all(nats_server.url, bulks)
    tried: dict[str, int] = {}
    batches: list[list[str]] = []
    applied: list[str] = []
    tag = "bwait"

    async def handler(session, event, envelope):
        tried[event.uscc] = tried.get(event.uscc, 0) + 1
        if event.uscc in late and tried[event.uscc] == 1:
            raise LookupError(f"{event.uscc} not known yet")
        await _keep(session, tag, event)
        applied.append(event.uscc)

    async def batch_handler(session, items):
        batches.append([event.uscc for event, _ in items])
        if any(event.uscc in late and tried.get(event.uscc, 0) == 0 for event, _ in items):
            raise LookupError("some not known yet")  # as a set-based handler refuses a batch it cannot take
        for event, _ in items:
            await _keep(session, tag, event)
            applied.append(event.uscc)

    sub = Subscription(OrganisationsImported.subject_name, OrganisationsImported, handler,
                       f"kitwait{uuid.uuid4().hex[:8]}", batch_handler)
    await consume(nats_server.url, [sub], sessionmaker, seq, max_deliver=5)
    mine = [u for u in applied if "MG" in u]  # the module's stream also holds earlier tests' bulk events
    assert sorted(mine) == sorted(o.uscc for o in orgs)  # each applied once
    assert sorted(u for u in await names(sessionmaker, tag) if "MG" in u) == sorted(o.uscc for o in orgs)
    # The second delivery: the 30 items left, taken together (the first one's other 30 were skipped by the inbox).
    assert [sorted(b) for b in batches if any("MG" in u for u in b)][-1] == sorted(late)
    assert all(tried[u] == 1 for u in late)  # one failed try each; the second was the set-based batch
    assert await inbox_count(sessionmaker, sub, item_ids(bulks)) == 60


async def test_a_bulk_event_whose_set_based_form_fails_at_first_is_tried_again_whole(nats_server,
                                                                                      sessionmaker) -> None:
    """Issue 11 (bulk cascades): the set-based form refusing a bulk event on its first delivery (what it follows
    has not arrived yet) does not take it apart item by item at once: the bulk event is redelivered and taken
    whole by the set-based form; the one-by-one handler is never called."""
    orgs = organisations(40, "MH")
    bulks = bulk(orgs, 40)
    seq = await publish_all(nats_server.url, bulks)
    calls = {"one": 0, "batch": 0}
    applied: list[str] = []
    refused: list[bool] = []
    tag = "bwhole"

    async def handler(session, event, envelope):
        calls["one"] += 1
        await _keep(session, tag, event)

    async def batch_handler(session, items):
        calls["batch"] += 1
        if any("MH" in event.uscc for event, _ in items) and not refused:
            refused.append(True)
            raise LookupError("not known yet")
        for event, _ in items:
            await _keep(session, tag, event)
            applied.append(event.uscc)

    sub = Subscription(OrganisationsImported.subject_name, OrganisationsImported, handler,
                       f"kitwhole{uuid.uuid4().hex[:8]}", batch_handler)
    await consume(nats_server.url, [sub], sessionmaker, seq, max_deliver=5)
    assert sorted(u for u in applied if "MH" in u) == sorted(o.uscc for o in orgs)
    assert refused and calls["one"] == 0  # refused once, never taken apart
    assert sorted(u for u in await names(sessionmaker, tag) if "MH" in u) == sorted(o.uscc for o in orgs)
    assert await inbox_count(sessionmaker, sub, item_ids(bulks)) == 40


async def test_the_kit_wires_bulk_carriers_to_the_same_handlers() -> None:
    """Whoever handles `registry.organisation.registered.v1` (an `On`) also consumes the bulk import event, with the
    same handlers; the durable is the bulk subject's own."""
    from yishe_kit.clock import default_clock
    from yishe_kit.context import On, subscriptions
    from yishe_kit.outbox import Outbox

    async def handler(ctx, event):
        return None

    async def batch(ctx):
        return None

    subs = subscriptions("svc", [On(OrganisationRegistered, handler, batch)], outbox=Outbox(INBOX, "svc"),
                         settings=None, clock=default_clock())
    assert [(s.subject, s.bulk, s.batch_handler is not None) for s in subs] == [
        (OrganisationRegistered.subject_name, False, True), (OrganisationsImported.subject_name, True, True)]
    assert subs[1].durable == "svc-registry-organisations-imported-v1"
    assert nats is not None
