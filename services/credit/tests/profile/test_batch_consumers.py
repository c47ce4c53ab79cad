"""Registrations taken in set-based batches (issue 11) open exactly the profiles of taking them one by one: CR-4
基础信息, the first CODE-3 colour and its change record, the `credit.profile.opened.v1` events. Real NATS and DB."""

from __future__ import annotations

import pytest
from credit_factories import registered

from yishe_contracts.envelope import Envelope
from yishe_credit.config import Settings
from yishe_credit.db import metadata
from yishe_credit.main import create_app
from yishe_kit.testing import in_bulk, set_based_and_one_by_one

pytestmark = pytest.mark.nats


@pytest.mark.parametrize("carried", ["single events", "bulk import events"])
async def test_registrations_taken_set_based_open_the_profiles_of_one_by_one(migrated, nats_server, carried) -> None:
    """Issue 11 / CR-4 / CODE-3: batches through the set-based handler = the one-by-one handler; a repeated
    registration of one organisation opens one profile (the first event's). The same when the registrations are
    carried by bulk import events (`registry.organisations.imported.v1`, as the registry's import emits them)."""
    events = [registered(org_type=("社会团体", "民办非企业单位", "基金会")[n % 3]) for n in range(40)]
    events.append(events[5].model_copy(update={"name": "重复登记的组织"}))
    envelopes = [Envelope.wrap(e, source="registry", correlation_id=f"corr-{i}") for i, e in enumerate(events)]
    if carried == "bulk import events":
        envelopes = in_bulk(envelopes)
    got, expected, fell_back = await set_based_and_one_by_one(
        lambda db, nats: create_app(Settings(db={"url": db}, nats={"url": nats})), metadata,
        batched_url=migrated("credit").fresh_url(), reference_url=migrated("credit").fresh_url(),
        nats_url=nats_server.url, envelopes=envelopes)
    assert not fell_back
    assert len(expected["credit_profile"]) == 40 and len(expected["outbox"]) == 40
    assert got == expected
