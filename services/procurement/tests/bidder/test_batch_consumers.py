"""Registration and credit-profile facts taken in set-based batches (issue 11) leave exactly the bidder read model of
taking them one by one (PROC-4 / PROC-9 inputs), several events about one organisation applied in order."""

from __future__ import annotations

from datetime import date

import pytest
from procurement_fixtures.factories import a_uscc, opened, registered

from yishe_contracts.envelope import Envelope
from yishe_kit.testing import in_bulk, set_based_and_one_by_one
from yishe_procurement.config import Settings
from yishe_procurement.db import metadata
from yishe_procurement.main import create_app

pytestmark = pytest.mark.nats


def make_app(db: str, nats: str):
    return create_app(Settings(db={"url": db}, nats={"url": nats}))


async def test_registrations_taken_set_based_leave_the_bidders_of_one_by_one(migrated, nats_server) -> None:
    """Issue 11 / PROC-4: batches through the set-based handler = the one-by-one handler; a later registration
    event about the same organisation (a new name) is applied after the first, as one by one."""
    usccs = [a_uscc() for _ in range(40)]
    events = [registered(u, registration_date=date(2020, 1, 1 + n % 28)) for n, u in enumerate(usccs)]
    events += [registered(usccs[n], name=f"更名后的组织{n}") for n in (3, 17)]
    envelopes = [Envelope.wrap(e, source="registry") for e in events]
    got, expected, fell_back = await set_based_and_one_by_one(
        make_app, metadata, batched_url=migrated("procurement").fresh_url(),
        reference_url=migrated("procurement").fresh_url(), nats_url=nats_server.url, envelopes=envelopes)
    assert not fell_back
    assert len(expected["bidder"]) == 40
    assert got == expected


@pytest.mark.parametrize("carried", ["single events", "bulk events"])
async def test_credit_profiles_taken_set_based_leave_the_bidders_of_one_by_one(migrated, nats_server, carried) -> None:
    """Issue 11 / PROC-4 item 6 inputs: credit profiles opened (colours, lists) set-based = one by one; the same
    when credit sends them in bulk (`credit.profiles.opened.v1`, as for an import's registrations)."""
    envelopes = [Envelope.wrap(opened(a_uscc(), colour=("green", "yellow", "red")[n % 3]), source="credit")
                 for n in range(40)]
    if carried == "bulk events":
        envelopes = in_bulk(envelopes)
    got, expected, fell_back = await set_based_and_one_by_one(
        make_app, metadata, batched_url=migrated("procurement").fresh_url(),
        reference_url=migrated("procurement").fresh_url(), nats_url=nats_server.url, envelopes=envelopes)
    assert not fell_back
    assert len(expected["bidder"]) == 40
    assert got == expected


async def test_bulk_import_events_leave_the_bidders_of_their_registrations_one_by_one(migrated, nats_server) -> None:
    """Issue 11: the same registrations carried by bulk import events (`registry.organisations.imported.v1`, as the
    registry's import emits them) = each registration taken alone by the one-by-one handler."""
    usccs = [a_uscc() for _ in range(40)]
    events = [registered(u, registration_date=date(2020, 1, 1 + n % 28)) for n, u in enumerate(usccs)]
    events += [registered(usccs[n], name=f"更名后的组织{n}") for n in (3, 17)]
    got, expected, fell_back = await set_based_and_one_by_one(
        make_app, metadata, batched_url=migrated("procurement").fresh_url(),
        reference_url=migrated("procurement").fresh_url(), nats_url=nats_server.url,
        envelopes=in_bulk([Envelope.wrap(e, source="registry") for e in events]))
    assert not fell_back
    assert len(expected["bidder"]) == 40
    assert got == expected
