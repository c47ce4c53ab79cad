"""Issue 16: the PostgreSQL server restarted (crashed: `pg_ctl stop -m immediate`) and away for longer than the
retry window, under load. A consumer waits for its database instead of burning its deliveries — nothing is
dead-lettered, every event is handled exactly once — and a request meanwhile gets 503 with Retry-After, not a 500.
A server of the test's own (`PrivatePostgres`): the machine's shared one is never restarted."""

from __future__ import annotations

import asyncio
import time
import uuid

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import func, insert, select, text

from yishe_contracts.envelope import Envelope
from yishe_contracts.events.registry import OrganisationRegistered
from yishe_kit.bus import Bus, Subscription
from yishe_kit.db import make_engine, make_sessionmaker
from yishe_kit.errors import install_handlers
from yishe_kit.settings import NatsSettings
from yishe_kit.testing import PrivatePostgres, eventually, postgres_binaries

from .conftest import metadata
from .test_bus_and_relay import an_event
from .test_bus_batch import publish_all

pytestmark = [pytest.mark.nats, pytest.mark.timeout(300),
              pytest.mark.skipif(postgres_binaries() is None, reason="no PostgreSQL server programs (initdb)")]
INBOX, THING = metadata.tables["inbox"], metadata.tables["thing"]
EVENTS = 240


@pytest.fixture
async def private_pg():
    pg = await asyncio.to_thread(lambda: PrivatePostgres().start())
    url = await asyncio.to_thread(pg.create_database, "kit")
    engine = make_engine(url)
    async with engine.begin() as conn:
        await conn.run_sync(metadata.create_all)
    yield pg, make_sessionmaker(engine)
    await engine.dispose()
    await asyncio.to_thread(pg.close)


def app_on(sessionmaker) -> FastAPI:
    app = FastAPI()
    install_handlers(app)

    @app.get("/count")
    async def count() -> dict:
        async with sessionmaker() as session:
            return {"things": await session.scalar(select(func.count()).select_from(THING))}

    return app


async def test_a_crashed_database_away_longer_than_the_retries_loses_and_doubles_nothing(nats_server, private_pg):
    pg, sessionmaker = private_pg

    async def handler(session, event, envelope):
        await asyncio.sleep(0.005)  # the handler's work: the outage comes mid-stream
        await session.execute(insert(THING).values(thing_id=str(uuid.uuid4()), name=envelope.id))  # a double shows

    sub = Subscription(OrganisationRegistered.subject_name, OrganisationRegistered, handler,
                       f"kitpg{uuid.uuid4().hex[:8]}")
    envelopes = [Envelope.wrap(an_event(i).model_copy(update={"uscc": f"51330300PG{i:08d}"}), source="test")
                 for i in range(EVENTS)]
    seq = await publish_all(nats_server.url, envelopes)
    # Small batches and few deliveries: the old way (a failure per attempt, 0.4 + 0.8 + 1.6 s of backoff) would
    # dead-letter everything in flight within the outage below.
    bus = Bus(NatsSettings(url=nats_server.url, batch=8, max_deliver=4), name="kit-pg-restart")
    await bus.connect()
    bus.start_consumers([sub], sessionmaker, INBOX)
    client = httpx.AsyncClient(transport=httpx.ASGITransport(app=app_on(sessionmaker)), base_url="http://kit")
    try:
        async def handled() -> int:
            async with sessionmaker() as s:
                return int(await s.scalar(select(func.count()).select_from(THING)) or 0)

        await eventually(lambda: _at_least(handled, EVENTS // 4), timeout=60)
        await asyncio.to_thread(pg.stop, "immediate")  # a crash: no shutdown checkpoint
        away = time.monotonic()
        refused = await client.get("/count")
        assert refused.status_code == 503 and refused.headers["retry-after"] == "2"
        assert refused.json()["code"] == "database_unavailable"
        await asyncio.sleep(4.0)  # longer than every retry the consumer had
        await asyncio.to_thread(pg.start)  # WAL recovery, then it answers
        assert time.monotonic() - away > 4.0
        await eventually(lambda: bus.acked_through(sub.durable, sub.subject, seq), timeout=120)
        assert (await client.get("/count")).json() == {"things": EVENTS}
    finally:
        await client.aclose()
        await bus.close()
    async with sessionmaker() as s:
        ids = (await s.execute(select(THING.c.name))).scalars().all()
        inbox = await s.scalar(select(func.count()).select_from(INBOX).where(INBOX.c.consumer == sub.durable))
        assert await s.scalar(text("SELECT 1")) == 1
    assert sorted(set(ids)) == sorted(e.id for e in envelopes)  # every event …
    assert len(ids) == EVENTS and inbox == EVENTS  # … once
    assert (await _dlq(nats_server.url)).get(sub.durable, 0) == 0  # nothing dead-lettered


async def _at_least(count, n: int) -> bool:
    return await count() >= n


async def _dlq(url: str) -> dict[str, int]:
    bus = Bus(NatsSettings(url=url), name="kit-pg-dlq")
    await bus.connect()
    try:
        from yishe_contracts.subjects import DLQ_PREFIX, DLQ_STREAM

        info = await bus.js.stream_info(DLQ_STREAM, subjects_filter=f"{DLQ_PREFIX}.>")
        return {k.removeprefix(f"{DLQ_PREFIX}."): v for k, v in (info.state.subjects or {}).items()}
    finally:
        await bus.close()


async def test_a_job_whose_database_crashed_ends_failed_and_says_why_never_running_forever(private_pg) -> None:
    """The job's work meets the crash; its end is written once the database is back: `failed`, code
    `database_unavailable` (start it again), so a caller polling it is not told `running` for ever."""
    from yishe_kit.db import new_metadata
    from yishe_kit.jobs import JobRunner

    pg, sessionmaker = private_pg
    job_table = new_metadata(jobs=True).tables["job"]
    async with sessionmaker() as session, session.begin():
        await (await session.connection()).run_sync(lambda c: job_table.create(c, checkfirst=True))
    runner = JobRunner(sessionmaker, job_table)
    crashed = asyncio.Event()

    async def work(progress):
        async with sessionmaker() as session, session.begin():
            await session.execute(insert(THING).values(thing_id=str(uuid.uuid4()), name="half"))
            await asyncio.to_thread(pg.stop, "immediate")
            crashed.set()
            await session.execute(insert(THING).values(thing_id=str(uuid.uuid4()), name="other half"))
        return {"written": 2}

    try:
        job = await runner.start("kit.crash", work, actor="test", key="crash")
        await asyncio.wait_for(crashed.wait(), 30)
        await asyncio.sleep(2.0)
        await asyncio.to_thread(pg.start)
        ended = await runner.wait(job.job_id, timeout=60)
    finally:
        await runner.close()
    assert ended.state == "failed" and ended.error["code"] == "database_unavailable"
    async with sessionmaker() as s:
        assert await s.scalar(select(func.count()).select_from(THING)) == 0  # nothing half-written

