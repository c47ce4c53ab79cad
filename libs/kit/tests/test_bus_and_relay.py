from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, date, datetime

import nats
import pytest
import structlog
from sqlalchemy import func, insert, select, text

from yishe_contracts.envelope import Envelope
from yishe_contracts.events.registry import OrganisationRegistered
from yishe_kit import relay as relay_module
from yishe_kit.bus import Bus, Subscription
from yishe_kit.outbox import Outbox
from yishe_kit.relay import Relay
from yishe_kit.settings import NatsSettings, RelaySettings
from yishe_kit.testing import NatsServer, eventually, publish_envelope

from .conftest import metadata

pytestmark = pytest.mark.nats
OUTBOX, INBOX = metadata.tables["outbox"], metadata.tables["inbox"]


def an_event(n: int = 0) -> OrganisationRegistered:
    return OrganisationRegistered(
        uscc="51330300MJ8A2T0116", name=f"温州市测试协会{n}", org_type="社会团体", division_code="330300",
        address="温州", legal_representative="张三", business_scope="公益", registered_at=datetime.now(UTC),
        registration_date=date(2026, 11, 22), party_full_members=0, party_probationary_members=0,
    )


async def connected_bus(url: str, **nats_overrides) -> Bus:
    bus = Bus(NatsSettings(url=url, **nats_overrides), name="kit-test")
    await bus.connect()
    return bus


def counting_subscription(calls: list, *, fail: bool = False) -> Subscription:
    async def handler(session, event, envelope):
        calls.append(envelope.id)
        if fail:
            raise RuntimeError("handler always fails")
        await session.execute(insert(metadata.tables["thing"]).values(thing_id=envelope.id, name=event.name))

    return Subscription(OrganisationRegistered.subject_name, OrganisationRegistered, handler,
                        f"kittest{uuid.uuid4().hex[:8]}")


async def test_handler_runs_once_and_inbox_records_when_same_event_delivered_twice(nats_server, sessionmaker) -> None:
    calls: list[str] = []
    bus = await connected_bus(nats_server.url)
    sub = counting_subscription(calls)
    bus.start_consumers([sub], sessionmaker, INBOX)
    try:
        env = Envelope.wrap(an_event(), source="registry")
        await publish_envelope(nats_server.url, env, msg_id="a-" + env.id)
        seq = await publish_envelope(nats_server.url, env, msg_id="b-" + env.id)
        await eventually(lambda: bus.acked_through(sub.durable, sub.subject, seq))
    finally:
        await bus.close()
    assert [c for c in calls if c == env.id] == [env.id]
    async with sessionmaker() as s:
        assert await s.scalar(select(func.count()).select_from(INBOX).where(INBOX.c.event_id == env.id)) == 1


async def test_invalid_payload_goes_to_dead_letter_stream_when_it_breaks_the_contract(
        nats_server, sessionmaker) -> None:
    calls: list[str] = []
    bus = await connected_bus(nats_server.url)
    sub = counting_subscription(calls)
    bus.start_consumers([sub], sessionmaker, INBOX)
    try:
        bad = Envelope(source="/yishe/registry", type=sub.subject, data={"uscc": "too short"})
        seq = await publish_envelope(nats_server.url, bad)
        await eventually(lambda: bus.acked_through(sub.durable, sub.subject, seq))
        msg = await bus.js.get_last_msg("DLQ", f"dlq.{sub.durable}")
    finally:
        await bus.close()
    assert bad.id not in calls
    assert Envelope.model_validate_json(msg.data).id == bad.id
    assert msg.headers["Yishe-Original-Subject"] == sub.subject
    assert "invalid payload" in msg.headers["Yishe-Error"]


async def test_a_message_that_is_not_json_is_dead_lettered_as_it_came(nats_server, sessionmaker) -> None:
    """A message that is not JSON at all breaks the contract like an invalid payload: dead-lettered with its bytes
    as they came, the consumer going on with the next message."""
    calls: list[str] = []
    bus = await connected_bus(nats_server.url)
    sub = counting_subscription(calls)
    bus.start_consumers([sub], sessionmaker, INBOX)
    try:
        seq = (await bus.js.publish(sub.subject, b"\xff not json {")).seq
        good = Envelope.wrap(an_event(), source="registry")
        await publish_envelope(nats_server.url, good)
        await eventually(lambda: bus.acked_through(sub.durable, sub.subject, seq + 1))
        msg = await bus.js.get_last_msg("DLQ", f"dlq.{sub.durable}")
        await bus.js.delete_msg("REGISTRY", seq)  # the module's later tests read the whole stream
    finally:
        await bus.close()
    assert msg.data == b"\xff not json {"
    assert "invalid payload: not JSON" in msg.headers["Yishe-Error"]
    assert good.id in calls  # the consumer went on past it


async def test_failing_handler_is_dead_lettered_after_bounded_deliveries(nats_server, sessionmaker) -> None:
    calls: list[str] = []
    bus = await connected_bus(nats_server.url, max_deliver=3)
    sub = counting_subscription(calls, fail=True)
    bus.start_consumers([sub], sessionmaker, INBOX)
    try:
        env = Envelope.wrap(an_event(), source="registry")
        seq = await publish_envelope(nats_server.url, env)
        await eventually(lambda: bus.acked_through(sub.durable, sub.subject, seq), timeout=20)
        msg = await bus.js.get_last_msg("DLQ", f"dlq.{sub.durable}")
    finally:
        await bus.close()
    assert [c for c in calls if c == env.id] == [env.id] * 3
    assert "handler always fails" in msg.headers["Yishe-Error"]
    async with sessionmaker() as s:  # a failed handler leaves no half-written state and no inbox row
        assert await s.scalar(select(func.count()).select_from(INBOX).where(INBOX.c.event_id == env.id)) == 0
        thing = metadata.tables["thing"]
        assert await s.scalar(select(func.count()).select_from(thing).where(thing.c.thing_id == env.id)) == 0


async def test_outbox_row_vanishes_with_rolled_back_business_change(sessionmaker) -> None:
    outbox = Outbox(OUTBOX, "registry")
    async with sessionmaker() as s:
        await outbox.emit(s, an_event())
        await s.rollback()
    async with sessionmaker() as s:
        assert await s.scalar(select(func.count()).select_from(OUTBOX)) == 0


async def _stream_ids(url: str, subject: str) -> list[str]:
    nc = await nats.connect(url)
    try:
        js = nc.jetstream()
        sub = await js.subscribe(subject, ordered_consumer=True)
        ids = []
        while True:
            try:
                msg = await sub.next_msg(timeout=0.3)
            except (TimeoutError, nats.errors.TimeoutError):
                return ids
            ids.append(Envelope.model_validate_json(msg.data).id)
    finally:
        await nc.close()


async def test_relay_publishes_committed_rows_in_order_once(nats_server, sessionmaker) -> None:
    bus = await connected_bus(nats_server.url)
    relay = Relay(bus=bus, sessionmaker=sessionmaker, outbox=OUTBOX, settings=RelaySettings())
    outbox = Outbox(OUTBOX, "registry")
    async with sessionmaker() as s:
        envs = [await outbox.emit(s, an_event(i)) for i in range(5)]
        await s.commit()
    relay.start()
    try:
        async def all_sent() -> bool:
            async with sessionmaker() as s:
                return await s.scalar(select(func.count()).where(OUTBOX.c.published_at.is_(None))) == 0
        await eventually(all_sent)
    finally:
        await relay.stop()
        await bus.close()
    ids = await _stream_ids(nats_server.url, OrganisationRegistered.subject_name)
    mine = [i for i in ids if i in {e.id for e in envs}]
    assert mine == [e.id for e in envs]


async def test_a_round_takes_no_more_payload_than_its_byte_budget_and_the_rest_follows_in_order(
        nats_server, sessionmaker) -> None:
    """A round holds its payloads in memory and in flight: past `batch_bytes` the rest waits for the next round (the
    first row always goes, however large), so a bulk import's ~3,900 large events do not go out 1,000 at once."""
    bus = await connected_bus(nats_server.url)
    outbox = Outbox(OUTBOX, "registry")
    async with sessionmaker() as s:
        envs = [await outbox.emit(s, an_event(i)) for i in range(7)]
        await s.commit()
        sizes = [len(p) for p in await s.scalars(select(OUTBOX.c.payload).order_by(OUTBOX.c.seq))]
    budget = sizes[0] + sizes[1] + 1  # rows 1 and 2 fit; row 3 would start past the budget
    relay = Relay(bus=bus, sessionmaker=sessionmaker, outbox=OUTBOX,
                  settings=RelaySettings(batch=100, batch_bytes=budget))
    try:
        assert [await relay.drain_once() for _ in range(3)] == [3, 3, 1]  # row 3 starts before the budget ends
        assert relay.more is False
        tiny = Relay(bus=bus, sessionmaker=sessionmaker, outbox=OUTBOX, settings=RelaySettings(batch_bytes=1))
        async with sessionmaker() as s:
            last = await outbox.emit(s, an_event(8))
            await s.commit()
        assert await tiny.drain_once() == 1 and await tiny.drain_once() == 0  # the first row always goes
    finally:
        await bus.close()
    ids = await _stream_ids(nats_server.url, OrganisationRegistered.subject_name)
    assert [i for i in ids if i in {e.id for e in [*envs, last]}] == [e.id for e in [*envs, last]]


async def test_a_slow_round_is_logged_with_where_its_time_went(nats_server, sessionmaker, monkeypatch) -> None:
    """Issue 11: right after a 1,000,000-row import's commit the registry's API relay made no progress for 10 s, and
    the other part's relay took its rows over, while the log said nothing. A round lasting `SLOW_ROUND_S` or more now
    says where its time went: here marking its rows sent waits for another transaction's hold on the writes."""
    monkeypatch.setattr(relay_module, "SLOW_ROUND_S", 0.2)
    bus = await connected_bus(nats_server.url)
    relay = Relay(bus=bus, sessionmaker=sessionmaker, outbox=OUTBOX, settings=RelaySettings())
    try:
        async with sessionmaker() as s:
            await Outbox(OUTBOX, "registry").emit(s, an_event(0))
            await s.commit()
        async with sessionmaker() as holder:
            if holder.get_bind().dialect.name == "sqlite":  # the file's one writer (the kit's write turn)
                await holder.execute(insert(metadata.tables["thing"]).values(thing_id="hold", name="持有写入"))
            else:  # reads and row locks pass, an UPDATE waits
                await holder.execute(text("LOCK TABLE outbox IN SHARE MODE"))

            async def release() -> None:
                await asyncio.sleep(0.5)
                await holder.commit()

            with structlog.testing.capture_logs() as logs:
                releasing = asyncio.create_task(release())
                assert await relay.drain_once() == 1
                await releasing
    finally:
        await bus.close()
    slow = [e for e in logs if e["event"] == "relay round slow"]
    assert len(slow) == 1, logs
    assert slow[0]["rows"] == 1 and slow[0]["mark_s"] >= 0.3 > slow[0]["read_s"] + slow[0]["publish_s"]
    assert slow[0]["seconds"] >= slow[0]["mark_s"]


async def test_relay_delivers_what_was_committed_while_nats_was_down(tmp_path, sessionmaker) -> None:
    server = NatsServer(tmp_path / "nats").start()
    bus = await connected_bus(server.url)
    relay = Relay(bus=bus, sessionmaker=sessionmaker, outbox=OUTBOX,
                  settings=RelaySettings(safety_poll_seconds=0.2, max_backoff_seconds=0.5))
    relay.start()
    try:
        server.stop()
        await eventually(lambda: asyncio.sleep(0, result=not bus.connected))
        async with sessionmaker() as s:
            env = await Outbox(OUTBOX, "registry").emit(s, an_event())
            await s.commit()
        await asyncio.sleep(0.3)  # the relay tries and fails while NATS is down
        async with sessionmaker() as s:
            assert await s.scalar(select(OUTBOX.c.published_at).where(OUTBOX.c.event_id == env.id)) is None
        server.start()

        async def sent() -> bool:
            async with sessionmaker() as s:
                return await s.scalar(select(OUTBOX.c.published_at).where(OUTBOX.c.event_id == env.id)) is not None
        await eventually(sent, timeout=20)
        assert env.id in await _stream_ids(server.url, OrganisationRegistered.subject_name)
    finally:
        await relay.stop()
        await bus.close()
        server.stop()


async def test_relay_stops_when_cancelled_just_as_a_commit_wakes_it(nats_server, sessionmaker) -> None:
    """Python 3.11's wait_for can swallow a cancel that races a wake-up; the relay must stop anyway."""
    bus = await connected_bus(nats_server.url)
    try:
        for _ in range(30):
            relay = Relay(bus=bus, sessionmaker=sessionmaker, outbox=OUTBOX, settings=RelaySettings())
            relay.start()
            async with sessionmaker() as s:
                await Outbox(OUTBOX, "registry").emit(s, an_event())
                await s.commit()
            await eventually(lambda r=relay: asyncio.sleep(0, result=r.published >= 1))
            relay.wake.set()
            done, _ = await asyncio.wait({asyncio.ensure_future(relay.stop())}, timeout=10)
            assert done, "relay.stop() hung"
    finally:
        await bus.close()


async def test_purge_removes_only_published_rows_older_than_the_retention(sessionmaker) -> None:
    from datetime import timedelta

    from sqlalchemy import update

    outbox = Outbox(OUTBOX, "registry")
    now = datetime.now(UTC)
    async with sessionmaker() as s:
        old, recent, unsent, old_unsent = [await outbox.emit(s, an_event(i)) for i in range(4)]
        for env, published in ((old, now - timedelta(hours=200)), (recent, now - timedelta(hours=2))):
            await s.execute(update(OUTBOX).where(OUTBOX.c.event_id == env.id).values(published_at=published))
        await s.execute(update(OUTBOX).where(OUTBOX.c.event_id == old_unsent.id)
                        .values(created_at=now - timedelta(days=30)))
        await s.commit()
    relay = Relay(bus=None, sessionmaker=sessionmaker, outbox=OUTBOX, settings=RelaySettings(retention_hours=168))
    assert await relay.purge_once(now=now, batch=1) == 1  # batches of one: the loop ends when a batch falls short
    async with sessionmaker() as s:
        left = set((await s.execute(select(OUTBOX.c.event_id))).scalars())
    assert left == {recent.id, unsent.id, old_unsent.id}  # an unsent row stays, however old


async def test_waiting_messages_are_handled_in_batches_with_a_failure_retried_alone_in_order(
        nats_server, sessionmaker) -> None:
    """Bulk rate (#11): messages already waiting are pulled many at a time and handled in one transaction each
    batch; a handler failing on one message rolls back only its savepoint — that message is retried alone, the
    others commit — and a later message about the same organisation waits behind it (per-organisation order)."""
    thing = metadata.tables["thing"]
    sessions: set[int] = set()
    order: list[tuple[str, str]] = []
    failures = {"left": 2}
    bad_uscc = "51330300MJ00000007"

    async def handler(session, event, envelope):
        sessions.add(id(session))
        if event.name.endswith("-first") and failures["left"] > 0:
            failures["left"] -= 1
            await session.execute(insert(thing).values(thing_id="half-" + envelope.id, name="half-written"))
            raise RuntimeError("transient failure")
        order.append((event.uscc, event.name))
        await session.execute(insert(thing).values(thing_id=envelope.id, name=event.name))

    sub = Subscription(OrganisationRegistered.subject_name, OrganisationRegistered, handler,
                       f"kitbatch{uuid.uuid4().hex[:8]}")
    envelopes = []
    for n in range(300):
        uscc = f"51330300MJ{n:08d}"
        name = f"协会{n}-first" if uscc == bad_uscc else f"协会{n}"
        envelopes.append(Envelope.wrap(an_event(n).model_copy(update={"uscc": uscc, "name": name}),
                                       source="registry"))
    # a second event about the failing organisation, behind its first one
    envelopes.append(Envelope.wrap(an_event(7).model_copy(update={"uscc": bad_uscc, "name": "协会7-second"}),
                                   source="registry"))
    bus = await connected_bus(nats_server.url, max_deliver=5)
    try:
        nc = await nats.connect(nats_server.url)
        js = nc.jetstream()
        for env in envelopes:  # all waiting before the consumer starts
            seq = (await js.publish(env.type, env.to_json_bytes(), headers={"Nats-Msg-Id": env.id})).seq
        await nc.close()
        bus.start_consumers([sub], sessionmaker, INBOX)

        async def all_acked() -> bool:
            try:
                return await bus.acked_through(sub.durable, sub.subject, seq)
            except nats.js.errors.NotFoundError:  # the durable is being created
                return False

        await eventually(all_acked, timeout=30)
    finally:
        await bus.close()
    ids = [env.id for env in envelopes]  # the module's stream also holds earlier tests' events
    async with sessionmaker() as s:
        assert await s.scalar(select(func.count()).select_from(thing).where(thing.c.thing_id.in_(ids))) == len(ids)
        assert await s.scalar(select(func.count()).select_from(thing).where(thing.c.name == "half-written")) == 0
        assert await s.scalar(select(func.count()).select_from(INBOX).where(
            INBOX.c.consumer == sub.durable, INBOX.c.event_id.in_(ids))) == len(ids)
    mine_all = [o for o in order if o[1].startswith("协会")]
    assert len(mine_all) == len(envelopes)  # each handled exactly once
    mine = [name for uscc, name in order if uscc == bad_uscc]
    assert mine == ["协会7-first", "协会7-second"]
    assert len(sessions) < len(envelopes) / 4  # batches, not one transaction per message


async def test_inbox_rows_are_purged_only_after_every_stream_has_dropped_their_events(sessionmaker) -> None:
    """An inbox row is what stops a redelivered or replayed event being handled twice: it is kept for longer than
    any stream keeps an event (STREAM_MAX_AGE_DAYS, the restore drill replays that far), then purged in batches."""
    from datetime import timedelta

    from pydantic import ValidationError

    from yishe_kit.settings import STREAM_MAX_AGE_DAYS

    now = datetime.now(UTC)
    consumer = f"kittest{uuid.uuid4().hex[:8]}"
    ages = {"a year and two months": 430, "just over the retention": 401, "a year, still replayable": 365,
            "yesterday": 1}
    async with sessionmaker() as s:
        await s.execute(insert(INBOX), [
            {"consumer": consumer, "event_id": str(uuid.uuid4()), "subject": name,
             "received_at": now - timedelta(days=days)} for name, days in ages.items()])
        await s.commit()
    bus = Bus(NatsSettings(url="nats://127.0.0.1:1"), name="kit-test")
    bus._inbox = INBOX
    assert bus.settings.inbox_retention_days > STREAM_MAX_AGE_DAYS
    assert await bus.purge_inbox_once(sessionmaker, now=now, batch=1) == 2  # batches of one, as the outbox purge
    async with sessionmaker() as s:
        left = set((await s.execute(select(INBOX.c.subject).where(INBOX.c.consumer == consumer))).scalars())
    assert left == {"a year, still replayable", "yesterday"}
    with pytest.raises(ValidationError):  # a retention shorter than the streams' would forget replayable events
        NatsSettings(inbox_retention_days=STREAM_MAX_AGE_DAYS)


async def test_apart_each_relay_publishes_its_own_parts_rows_and_the_others_only_once_their_relay_is_stuck(
        nats_server, sessionmaker) -> None:
    """A service's API and consumers apart write one outbox and each runs a relay. On SQLite (no SKIP LOCKED) both
    read the same unsent rows, so each publishes the rows its own part wrote (and rows of no part); the other part's
    only once that part's relay has made no progress for `takeover_seconds` (that process down), however old the
    rows are (an import's rows are written over minutes in one transaction). Nothing is published twice."""
    from datetime import timedelta

    from sqlalchemy import update

    api_bus, consumers_bus = await connected_bus(nats_server.url), await connected_bus(nats_server.url)
    settings = RelaySettings(takeover_seconds=0.3)
    api = Relay(bus=api_bus, sessionmaker=sessionmaker, outbox=OUTBOX, settings=settings, origin="api")
    consumers = Relay(bus=consumers_bus, sessionmaker=sessionmaker, outbox=OUTBOX, settings=settings,
                      origin="consumers")
    try:
        async with sessionmaker() as s:
            by_api = [await Outbox(OUTBOX, "registry", origin="api").emit(s, an_event(i)) for i in range(3)]
            by_consumers = await Outbox(OUTBOX, "registry", origin="consumers").emit_many(
                s, [an_event(i) for i in range(3, 6)])
            by_none = await Outbox(OUTBOX, "registry").emit(s, an_event(6))
            # written long ago in a transaction committed only now: still the consumers' own
            await s.execute(update(OUTBOX).where(OUTBOX.c.event_id == by_consumers[0].id)
                            .values(created_at=datetime.now(UTC) - timedelta(hours=1)))
            await s.commit()
        assert await api.lag() == 4 and await consumers.lag() == 4  # its own part's three and the one of no part

        assert await api.drain_once() == 4  # its own and the one of no part; not the consumers' rows
        assert await api.drain_once() == 0
        assert await consumers.lag() == 3
        assert await consumers.drain_once() == 3
        assert (api_bus.duplicates, consumers_bus.duplicates) == (0, 0)

        # The consumers' relay makes progress (a row goes out between two looks): the API's relay takes nothing.
        async with sessionmaker() as s:
            first, second = await Outbox(OUTBOX, "registry", origin="consumers").emit_many(s, [an_event(7),
                                                                                                an_event(8)])
            await s.commit()
            await api.watch_others(s)
            await asyncio.sleep(0.2)
            one_at_a_time = Relay(bus=consumers_bus, sessionmaker=sessionmaker, outbox=OUTBOX,
                                  settings=RelaySettings(batch=1), origin="consumers")
            assert await one_at_a_time.drain_once() == 1
            await asyncio.sleep(0.2)
            await api.watch_others(s)  # its oldest changed: progress
            assert await api.drain_once() == 0
            # Then the consumers process is gone: no progress for takeover_seconds, and the API's relay takes its rows.
            await asyncio.sleep(0.35)
            await api.watch_others(s)
        assert await api.lag() == 1
        assert await api.drain_once() == 1
        assert (api_bus.duplicates, consumers_bus.duplicates) == (0, 0)
    finally:
        await api_bus.close()
        await consumers_bus.close()
    ids = await _stream_ids(nats_server.url, OrganisationRegistered.subject_name)
    sent = [*by_api, *by_consumers, by_none, first, second]
    assert sorted(i for i in ids if i in {e.id for e in sent}) == sorted(e.id for e in sent)


async def test_a_repeat_the_stream_already_holds_is_counted_as_a_duplicate(nats_server, sessionmaker) -> None:
    """Two relays of one process each (the layout before outbox origins) read the same rows: the second's publishes
    are repeats, dropped by the stream and counted (`yishe_relay_duplicate_events_total`)."""
    first_bus, second_bus = await connected_bus(nats_server.url), await connected_bus(nats_server.url)
    try:
        first = Relay(bus=first_bus, sessionmaker=sessionmaker, outbox=OUTBOX, settings=RelaySettings())
        async with sessionmaker() as s:
            envs = [await Outbox(OUTBOX, "registry").emit(s, an_event(i)) for i in range(3)]
            await s.commit()
        items = [(OrganisationRegistered.subject_name, e.to_json_bytes(), e.id) for e in envs]
        assert await first.drain_once() == 3
        assert await second_bus.publish_many(items) == 3
        assert (first_bus.duplicates, second_bus.duplicates) == (0, 3)
    finally:
        await first_bus.close()
        await second_bus.close()


async def test_on_sqlite_the_relays_rows_are_chosen_from_the_unsent_index_which_holds_their_origin(
        sessionmaker) -> None:
    """SQLite stores `origin` after the payload: read from the row, it walks the payload's overflow pages (1,000
    unsent bulk events of ~500 KB: 126 ms a round). The next-rows query and the watch over the other part's rows
    find both columns in `ix_outbox_unsent` (published_at, origin)."""
    from sqlalchemy import func, select

    relay = Relay(bus=None, sessionmaker=sessionmaker, outbox=OUTBOX, settings=RelaySettings(), origin="api")
    async with sessionmaker() as s:
        dialect = s.get_bind().dialect
        if dialect.name != "sqlite":
            pytest.skip("SQLite's row layout (PostgreSQL keeps large payloads out of line)")
        conn = await s.connection()
        for stmt in (relay._next_rows("sqlite"), select(func.min(OUTBOX.c.seq)).where(relay._others())):
            compiled = stmt.compile(dialect=dialect)
            values = compiled.construct_params({"taken": -1})
            args = tuple(values[name] for name in compiled.positiontup or ())
            plan = " | ".join(str(row[-1]) for row in await conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {compiled}",
                                                                                  args))
            assert "ix_outbox_unsent" in plan and "SCAN outbox" not in plan, plan
