"""A batch's statements are planned for the tables' size now (PostgreSQL, issue 11: bulk propagation on PostgreSQL).

A pooled connection keeps its prepared statements; PostgreSQL may keep a statement's generic plan, made while a read
model was small. After a bulk load nothing replans it until an ANALYZE (none runs on a server without autovacuum, as
here, and autovacuum lags a load): procurement's `uscc IN (1,000 keys)` stayed a sequential scan comparing every row
with every key, ~3 s a batch at 100,000 bidders. The bus plans every statement of a batch's transaction afresh."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import insert, text

from yishe_contracts.events.registry import OrganisationRegistered
from yishe_kit.bus import Subscription
from yishe_kit.db import plan_by_current_size
from yishe_kit.testing import test_backend as backend

from .conftest import metadata
from .test_bus_batch import consume, publish_all, registrations

pytestmark = pytest.mark.skipif(backend() != "postgres", reason="plan caching is PostgreSQL's; SQLite plans anew")
THING = metadata.tables["thing"]


async def _plan(conn, keys: list[str]) -> str:
    literal = "{" + ",".join(keys) + "}"  # the test's own keys; a utility statement takes no bound parameters
    rows = (await conn.execute(text(f"EXPLAIN EXECUTE probe('{literal}')"))).all()
    return "\n".join(r[0] for r in rows)


async def test_a_generic_plan_made_on_a_small_table_is_not_used_for_a_batch(sessionmaker) -> None:
    async with sessionmaker() as session:
        conn = await session.connection()
        await conn.execute(insert(THING), [{"thing_id": f"small-{i}", "name": "x"} for i in range(20)])
        await conn.execute(text("PREPARE probe(varchar[]) AS SELECT * FROM thing WHERE thing_id = ANY($1)"))
        # What PostgreSQL keeps after five executions when the generic plan looked as cheap: forced here so the test
        # does not depend on the cost model's tie-break.
        await conn.execute(text("SET plan_cache_mode = force_generic_plan"))
        await conn.execute(text("EXECUTE probe('{small-1}')"))
        await conn.execute(insert(THING), [{"thing_id": f"big-{i:06d}", "name": "y" * 80} for i in range(30_000)])
        keys = [f"big-{i:06d}" for i in range(0, 30_000, 1_000)]
        assert "Seq Scan" in await _plan(conn, keys)  # the cached generic plan: every row against every key
        await session.commit()

        async with session.begin():
            await plan_by_current_size(session)
            conn = await session.connection()
            assert "Seq Scan" not in await _plan(conn, keys)  # the key's index: 30 keys in 30,000 rows


@pytest.mark.nats
async def test_the_bus_plans_a_batchs_statements_afresh(nats_server, sessionmaker) -> None:
    modes: list[str] = []

    async def handler(session, event, envelope):  # one event alone: point statements, cached plans kept
        return None

    async def batch_handler(session, items):
        modes.append(await session.scalar(text("SELECT current_setting('plan_cache_mode')")))

    sub = Subscription(OrganisationRegistered.subject_name, OrganisationRegistered, handler,
                       f"kitplan{uuid.uuid4().hex[:8]}", batch_handler)
    seq = await publish_all(nats_server.url, registrations(50, 1, "PL"))
    await consume(nats_server.url, [sub], sessionmaker, seq)
    assert modes and set(modes) == {"force_custom_plan"}
