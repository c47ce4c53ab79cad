"""Registrations and first colours taken in set-based batches (issue 11) leave exactly cultivation's organisation
read model of taking them one by one (community class, township from an earlier filing, colour)."""

from __future__ import annotations

import pytest
from cultivation_factories import registered

from yishe_contracts.envelope import Envelope
from yishe_cultivation.config import Settings
from yishe_cultivation.db import metadata
from yishe_cultivation.main import create_app
from yishe_kit.testing import in_bulk, set_based_and_one_by_one

pytestmark = pytest.mark.nats


async def test_registrations_taken_set_based_leave_the_organisations_of_one_by_one(migrated, nats_server) -> None:
    """Issue 11: batches through the set-based handler = the one-by-one handler; a repeated registration keeps
    the first."""
    events = [registered(community_class="社区社会组织" if n % 4 == 0 else None) for n in range(40)]
    events.append(events[2].model_copy(update={"name": "重复登记的组织"}))
    got, expected, fell_back = await set_based_and_one_by_one(
        lambda db, nats: create_app(Settings(db={"url": db}, nats={"url": nats})), metadata,
        batched_url=migrated("cultivation").fresh_url(), reference_url=migrated("cultivation").fresh_url(),
        nats_url=nats_server.url, envelopes=[Envelope.wrap(e, source="registry") for e in events])
    assert not fell_back
    assert len(expected["cult_organisation"]) == 40
    assert got == expected


async def test_bulk_import_events_leave_the_organisations_of_their_registrations_one_by_one(
        migrated, nats_server) -> None:
    """Issue 11: the same registrations carried by bulk import events (`registry.organisations.imported.v1`, as the
    registry's import emits them) = each registration taken alone by the one-by-one handler."""
    events = [registered(community_class="社区社会组织" if n % 4 == 0 else None) for n in range(40)]
    events.append(events[2].model_copy(update={"name": "重复登记的组织"}))
    got, expected, fell_back = await set_based_and_one_by_one(
        lambda db, nats: create_app(Settings(db={"url": db}, nats={"url": nats})), metadata,
        batched_url=migrated("cultivation").fresh_url(), reference_url=migrated("cultivation").fresh_url(),
        nats_url=nats_server.url, envelopes=in_bulk([Envelope.wrap(e, source="registry") for e in events]))
    assert not fell_back
    assert len(expected["cult_organisation"]) == 40
    assert got == expected
