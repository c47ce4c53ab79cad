"""Two consumers of one service (one durable per subject) handling events of the same organisation at the same time
never lose each other's update: each decides from what the other committed (`yishe_kit.bus.hold_organisations`).
Found as a flaky procurement test: a bidder's abnormal listing overwritten by its credit profile, handled at once.
Real NATS, real database (SQLite or PostgreSQL)."""

from __future__ import annotations

import asyncio
import uuid

import pytest
from sqlalchemy import insert, select, update

from yishe_contracts.envelope import Envelope
from yishe_contracts.events.credit import CreditProfileOpened
from yishe_contracts.events.registry import OrganisationRegistered
from yishe_kit.bus import Subscription

from .conftest import metadata
from .test_bus_and_relay import an_event
from .test_bus_batch import consume, publish_all
from .test_effective_date import opened

pytestmark = pytest.mark.nats
THING = metadata.tables["thing"]
EACH = 12


def counting(consumer: str, model: type, key: str) -> Subscription:
    """Read the organisation's count, think a moment (other work of the handler), write count + 1."""

    async def handler(session, event, envelope):
        count = await session.scalar(select(THING.c.name).where(THING.c.thing_id == key))
        await asyncio.sleep(0.01)
        if count is None:
            await session.execute(insert(THING).values(thing_id=key, name="1"))
        else:
            await session.execute(update(THING).where(THING.c.thing_id == key).values(name=str(int(count) + 1)))

    return Subscription(model.subject_name, model, handler, consumer)


async def test_two_durables_on_one_organisation_lose_no_update(nats_server, sessionmaker) -> None:
    consumer, key = f"kitlock{uuid.uuid4().hex[:8]}", f"count:{uuid.uuid4().hex[:8]}"
    async with sessionmaker() as s, s.begin():  # the row exists: both read it, neither inserts
        await s.execute(insert(THING).values(thing_id=key, name="0"))
    uscc = an_event().uscc
    envelopes = [Envelope.wrap(e, source="test") for i in range(EACH) for e in (an_event(i), opened())]
    assert {env.subject for env in envelopes} == {uscc}
    seq = await publish_all(nats_server.url, envelopes)
    subs = [counting(consumer, OrganisationRegistered, key), counting(consumer, CreditProfileOpened, key)]
    await consume(nats_server.url, subs, sessionmaker, seq, batch=1)  # one message a transaction: the single path
    async with sessionmaker() as s:
        assert await s.scalar(select(THING.c.name).where(THING.c.thing_id == key)) == str(2 * EACH)
