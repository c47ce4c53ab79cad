"""A bulk load keeps the inbox check on the primary key (PostgreSQL): the bus analyzes the inbox it has grown, so
`consumer = … AND event_id IN (…)` is planned by current statistics, not by an empty table's (then it filtered every
row of the consumer: 60–110 ms a batch at 66,000 rows in the PostgreSQL bulk bench, growing with the table).
This machine's PostgreSQL runs without autovacuum, so only the bus's own ANALYZE can help here. (The plan itself is
not asserted: on a few thousand rows a sequential scan is the right one.)"""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import text

from yishe_contracts.envelope import Envelope
from yishe_contracts.events.registry import OrganisationRegistered
from yishe_kit.bus import ANALYZE_FIRST, Subscription
from yishe_kit.testing import test_backend as backend

from .conftest import metadata
from .test_bus_and_relay import an_event
from .test_bus_batch import consume, publish_all

pytestmark = [pytest.mark.nats, pytest.mark.timeout(300),
              pytest.mark.skipif(backend() != "postgres", reason="PostgreSQL plans by statistics; SQLite has none")]
INBOX = metadata.tables["inbox"]


async def test_the_inbox_check_uses_the_primary_key_after_a_bulk_load(nats_server, sessionmaker) -> None:
    async def handler(session, event, envelope):
        return None

    sub = Subscription(OrganisationRegistered.subject_name, OrganisationRegistered, handler,
                       f"kitstats{uuid.uuid4().hex[:8]}")
    n = ANALYZE_FIRST + 1_000
    envelopes = [Envelope.wrap(an_event(i).model_copy(update={"uscc": f"51330300ST{i:08d}"}), source="test")
                 for i in range(n)]
    seq = await publish_all(nats_server.url, envelopes)
    bus = await consume(nats_server.url, [sub], sessionmaker, seq)
    if bus._analyzing is not None:
        await bus._analyzing  # the background ANALYZE the load started
    async with sessionmaker() as session:
        analyzed = await session.scalar(text("SELECT last_analyze FROM pg_stat_user_tables WHERE relname = 'inbox'"))
        counted = await session.scalar(text("SELECT reltuples FROM pg_class WHERE relname = 'inbox'"))
    # The planner's row count is the table's (an empty table's -1 before: a fixed guess of ~50 rows a consumer).
    assert analyzed is not None and counted >= ANALYZE_FIRST
