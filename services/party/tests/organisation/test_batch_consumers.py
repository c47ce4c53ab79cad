"""Registrations taken in set-based batches (issue 11) leave exactly the state of taking them one by one: records and
routes (PARTY-1..3), the capture task and its deadline (PARTY-5), captured members, instructors sent from the pool
(PARTY-3), the count history and the `party.record.opened.v1` events. Real NATS, real database."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from party_factories import id_number, registered
from sqlalchemy import insert

from yishe_contracts.envelope import Envelope
from yishe_contracts.events.registry import OrganisationRegistered, PartyMemberCaptured
from yishe_kit.db import make_engine
from yishe_kit.testing import set_based_and_one_by_one
from yishe_party.config import Settings
from yishe_party.db import metadata
from yishe_party.main import create_app
from yishe_party.talent.models import Talent

pytestmark = pytest.mark.nats


def burst() -> list[Envelope]:
    """Every route, members captured, legacy imports, a repeated registration of one organisation, and more
    organisations without members than the pool has room for."""
    events: list[OrganisationRegistered] = []
    for n in range(40):
        if n % 5 == 0:
            events.append(registered(3, 1, members=[PartyMemberCaptured(name="王五", status="正式党员",
                                                                        id_number=id_number())]))
        elif n % 5 == 1:
            events.append(registered(1, 0))
        elif n % 5 == 2:
            events.append(registered(0, 0, division="330303").model_copy(
                update={"source": "import", "registration_date": date(2019, 3, 1)}))
        else:
            events.append(registered(0, 0))
    events.append(events[3].model_copy(update={"name": "重复登记的组织"}))  # the first event opens the record
    return [Envelope.wrap(e, source="registry", correlation_id=f"corr-{i}") for i, e in enumerate(events)]


async def seed_pool(url: str) -> None:
    """The same talent pool in each database: two instructors with room for five organisations each."""
    engine = make_engine(url)
    async with engine.begin() as conn:
        await conn.execute(insert(Talent), [
            {"name": name, "source": "retired_cadre", "division_code": division, "max_organisations": 5,
             "annual_allowance": Decimal("0"), "created_at": datetime.now(UTC)}
            for name, division in (("李指导", "330302"), ("赵指导", "330303"))])
    await engine.dispose()


async def test_registrations_taken_set_based_leave_the_state_of_one_by_one(migrated, nats_server) -> None:
    """Issue 11 / PARTY-5 / PARTY-3: a burst of waiting registrations consumed in batches through the set-based
    handler gives the same tables and events as the one-by-one handler over the same events."""
    batched_url, reference_url = migrated("party").fresh_url(), migrated("party").fresh_url()
    for url in (batched_url, reference_url):
        await seed_pool(url)
    got, expected, fell_back = await set_based_and_one_by_one(
        lambda db, nats: create_app(Settings(db={"url": db}, nats={"url": nats})), metadata,
        batched_url=batched_url, reference_url=reference_url, nats_url=nats_server.url, envelopes=burst())
    assert not fell_back
    assert len(expected["party_record"]) == 40 and len(expected["party_work_cover"]) == 10
    assert got == expected


async def test_a_bulk_import_event_leaves_the_state_of_its_registrations_one_by_one(migrated, nats_server) -> None:
    """Issue 11: the same registrations carried by bulk import events (`registry.organisations.imported.v1`, as the
    registry's import emits them) give the tables and events of each registration taken alone."""
    from yishe_contracts.events.registry import OrganisationsImported

    batched_url, reference_url = migrated("party").fresh_url(), migrated("party").fresh_url()
    for url in (batched_url, reference_url):
        await seed_pool(url)
    events = [OrganisationRegistered.model_validate(e.data) for e in burst()]
    bulks = [Envelope.wrap(OrganisationsImported(batch_id=1, organisations=events[i:i + 16]), source="registry",
                           correlation_id=f"import-{i}") for i in range(0, len(events), 16)]
    got, expected, fell_back = await set_based_and_one_by_one(
        lambda db, nats: create_app(Settings(db={"url": db}, nats={"url": nats})), metadata,
        batched_url=batched_url, reference_url=reference_url, nats_url=nats_server.url, envelopes=bulks)
    assert not fell_back
    assert len(expected["party_record"]) == 40 and len(expected["outbox"]) >= 40
    assert got == expected  # the outboxes compared as the events consumers take from them
    # ... and the batched one sent the records opened in bulk (one per bulk import event), the reference alone.
    assert await _subjects(batched_url) == {"party.records.opened.v1": 3}
    assert (await _subjects(reference_url))["party.record.opened.v1"] == 40


async def _subjects(url: str) -> dict[str, int]:
    from sqlalchemy import func, select

    from yishe_kit.db import make_engine
    from yishe_party.db import metadata

    outbox = metadata.tables["outbox"]
    engine = make_engine(url)
    try:
        async with engine.connect() as conn:
            return dict((await conn.execute(select(outbox.c.subject, func.count()).where(
                outbox.c.subject.like("party.record%")).group_by(outbox.c.subject))).all())
    finally:
        await engine.dispose()
