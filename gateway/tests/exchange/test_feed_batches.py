"""Events taken in set-based batches (issue 11) leave exactly the change feed of taking them one by one (EXCH-1):
the same entries, in the same sequence (stream order), placed in the same divisions, personal data withheld."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest
from sqlalchemy import insert, select

from yishe_contracts.envelope import Envelope
from yishe_contracts.identifiers import encode_sequence, make_uscc
from yishe_gateway.config import Settings
from yishe_gateway.db import metadata
from yishe_gateway.exchange.models import FeedEntry, WebhookSubscription
from yishe_gateway.identity.models import ApiClient
from yishe_gateway.main import create_app
from yishe_kit.db import make_engine
from yishe_kit.testing import in_bulk, set_based_and_one_by_one

from ..conftest import registered_event

pytestmark = pytest.mark.nats


def make_app(db: str, nats: str):
    return create_app(Settings(db={"url": db}, nats={"url": nats}, events_enabled=True, cache={"max_entries": 0},
                               webhooks={"enabled": False},  # the deliveries owed stay as the consumer wrote them
                               audit={"checkpoint_subject": f"audit.test-{uuid.uuid4().hex[:12]}"}))


async def seed_webhooks(url: str) -> None:
    """A county client subscribed to everything, and one subscribed to another subject only."""
    engine = make_engine(url)
    now = datetime.now(UTC)
    async with engine.begin() as conn:
        await conn.execute(insert(ApiClient), [
            {"client_id": f"c{n}", "name": f"客户端{n}", "role": "staff", "division_prefix": "330302",
             "created_at": now} for n in (1, 2)])
        await conn.execute(insert(WebhookSubscription), [
            {"subscription_id": "s1", "client_id": "c1", "url": "http://127.0.0.1:9/a", "subjects": [], "salt": "x",
             "active": True, "created_at": now},
            {"subscription_id": "s2", "client_id": "c2", "url": "http://127.0.0.1:9/b",
             "subjects": ["credit.colour.changed.v1"], "salt": "x", "active": True, "created_at": now}])
    await engine.dispose()


@pytest.mark.parametrize("carried", ["single events", "bulk import events"])
async def test_registrations_taken_set_based_leave_the_feed_of_one_by_one(gateway_databases, nats_server,
                                                                          carried) -> None:
    """Issue 11 / EXCH-1 / EXCH-2: batches through the set-based handler = the one-by-one handler (sequence numbers
    included), with the same deliveries owed to the webhooks in the client's jurisdiction and subjects. Carried by
    bulk import events (`registry.organisations.imported.v1`), the feed still has one
    `registry.organisation.registered.v1` entry per organisation, each under its own event id."""
    usccs = [make_uscc(category="1", division_code=("330302", "330303")[n % 2], body8="MJ" + encode_sequence(n + 900))
             for n in range(40)]
    envelopes = [Envelope.wrap(registered_event(u, name=f"测试中心{n}"), source="registry")
                 for n, u in enumerate(usccs)]
    if carried == "bulk import events":
        envelopes = in_bulk(envelopes)
    batched_url, reference_url = gateway_databases.fresh_url(), gateway_databases.fresh_url()
    for url in (batched_url, reference_url):
        await seed_webhooks(url)
    got, expected, fell_back = await set_based_and_one_by_one(
        make_app, metadata, batched_url=batched_url, reference_url=reference_url, nats_url=nats_server.url,
        envelopes=envelopes)
    assert not fell_back
    assert len(expected["feed_entry"]) == 40 and len(expected["webhook_delivery"]) == 20
    assert all("registry.organisation.registered.v1" in row for row in expected["feed_entry"])
    assert got == expected


async def test_credit_profiles_sent_in_bulk_are_fed_as_the_single_events_they_stand_for(gateway_databases,
                                                                                          nats_server) -> None:
    """Issue 11 (bulk cascades): credit's profiles opened for an import's registrations come as bulk events
    (`credit.profiles.opened.v1`); the feed has one `credit.profile.opened.v1` entry per organisation, under the id,
    causation and effective date each would have carried alone (`BulkItemContext`), and equals the one-by-one feed."""
    from yishe_contracts.events.credit import CreditProfileOpened

    usccs = [make_uscc(category="1", division_code="330302", body8="MK" + encode_sequence(n + 900)) for n in range(20)]
    singles = [Envelope.wrap(CreditProfileOpened(uscc=u, name=f"测试中心{n}", colour="green", colour_rule="CODE-3",
                                                 colour_reason="无异常信用记录", opened_at=datetime.now(UTC)),
                             source="credit", causation_id=f"registration-{n}",
                             effective_date=datetime(2024, 1, 1 + n, tzinfo=UTC).date())
               for n, u in enumerate(usccs)]
    bulk = in_bulk(singles, size=8)
    assert {env.type for env in bulk} == {"credit.profiles.opened.v1"}
    batched_url, reference_url = gateway_databases.fresh_url(), gateway_databases.fresh_url()
    got, expected, fell_back = await set_based_and_one_by_one(
        make_app, metadata, batched_url=batched_url, reference_url=reference_url, nats_url=nats_server.url,
        envelopes=bulk)
    assert not fell_back and got == expected
    engine = make_engine(batched_url)
    try:
        async with engine.connect() as conn:
            fed = {row.event_id: row for row in (await conn.execute(
                select(FeedEntry.event_id, FeedEntry.subject, FeedEntry.uscc, FeedEntry.effective_date))).all()}
    finally:
        await engine.dispose()
    assert {env.id for env in singles} == set(fed)
    for env in singles:
        assert (fed[env.id].subject, fed[env.id].uscc, fed[env.id].effective_date) == (
            "credit.profile.opened.v1", env.subject, env.effectivedate)
