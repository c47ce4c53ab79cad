"""The outbox dates every event by the business day it takes effect: the producer's date, the event's own rule
date, the date of the event that caused it, else today on the kit clock."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime

import nats.js.errors
import pytest
from sqlalchemy import select

from yishe_contracts.envelope import Envelope
from yishe_contracts.events.credit import CreditProfileOpened
from yishe_contracts.events.registry import OrganisationRegistered
from yishe_kit.bus import Bus, Subscription
from yishe_kit.clock import default_clock
from yishe_kit.outbox import Outbox
from yishe_kit.settings import NatsSettings
from yishe_kit.testing import eventually, publish_envelope

from .conftest import metadata

OUTBOX, INBOX = metadata.tables["outbox"], metadata.tables["inbox"]
USCC = "51330300MJ8A2T0116"


def registered(on: date) -> OrganisationRegistered:
    return OrganisationRegistered(
        uscc=USCC, name="温州市测试协会", org_type="社会团体", division_code="330300", address="温州",
        legal_representative="张三", business_scope="公益", registered_at=datetime.now(UTC), registration_date=on,
        party_full_members=0, party_probationary_members=0)


def opened() -> CreditProfileOpened:
    return CreditProfileOpened(uscc=USCC, name="温州市测试协会", colour="green", colour_rule="CODE-3",
                               colour_reason="无异常信用记录", opened_at=datetime.now(UTC))


async def _handled(bus: Bus, sub: Subscription, seq: int) -> bool:
    try:
        return await bus.acked_through(sub.durable, sub.subject, seq)
    except nats.js.errors.NotFoundError:  # the durable consumer is still being created
        return False


async def _effective_dates(sessionmaker) -> dict[str, str | None]:
    async with sessionmaker() as s:
        rows = (await s.execute(select(OUTBOX.c.subject, OUTBOX.c.payload))).all()
    return {subject: Envelope.model_validate_json(payload).model_dump(mode="json")["effectivedate"]
            for subject, payload in rows}


async def test_outbox_dates_an_event_by_its_rule_date_else_today_on_the_kit_clock(sessionmaker) -> None:
    clock = default_clock()
    clock.set_platform_date(date(2025, 1, 10))
    try:
        outbox = Outbox(OUTBOX, "registry")
        async with sessionmaker() as s:
            await outbox.emit(s, registered(date(2023, 3, 15)))
            await outbox.emit(s, opened())
            await s.commit()
    finally:
        clock.set_platform_date(None)
    assert await _effective_dates(sessionmaker) == {"registry.organisation.registered.v1": "2023-03-15",
                                                    "credit.profile.opened.v1": "2025-01-10"}


async def test_producer_date_wins_over_the_event_own_date(sessionmaker) -> None:
    outbox = Outbox(OUTBOX, "registry")
    async with sessionmaker() as s:
        envelope = await outbox.emit(s, registered(date(2023, 3, 15)), effective_date=date(2023, 4, 1))
        [many] = await outbox.emit_many(s, [registered(date(2023, 3, 15))])
        await s.rollback()
    assert envelope.effectivedate == date(2023, 4, 1) and many.effectivedate == date(2023, 3, 15)


@pytest.mark.nats
async def test_event_caused_by_an_imported_record_takes_effect_on_the_cause_date(nats_server, sessionmaker) -> None:
    """A credit profile opened today for an organisation registered in 2023 is effective from 2023."""
    outbox = Outbox(OUTBOX, "credit")
    marker = f"温州市导入测试协会{uuid.uuid4().hex[:6]}"  # the stream also holds other tests' registrations

    async def open_profile(session, event, envelope):
        if event.name == marker:
            await outbox.emit(session, opened())

    bus = Bus(NatsSettings(url=nats_server.url), name="kit-test")
    await bus.connect()
    sub = Subscription(OrganisationRegistered.subject_name, OrganisationRegistered, open_profile,
                       f"kittest{uuid.uuid4().hex[:8]}")
    bus.start_consumers([sub], sessionmaker, INBOX)
    try:
        imported = registered(date(2023, 3, 15)).model_copy(update={"name": marker})
        seq = await publish_envelope(nats_server.url, Envelope.wrap(imported, source="registry"))
        await eventually(lambda: _handled(bus, sub, seq))
    finally:
        await bus.close()
    assert await _effective_dates(sessionmaker) == {"credit.profile.opened.v1": "2023-03-15"}


@pytest.mark.nats
async def test_events_handled_as_a_batch_each_pass_on_their_own_effective_date(nats_server, sessionmaker) -> None:
    """Waiting messages are handled in one transaction; each one's consequences keep that message's date."""
    outbox = Outbox(OUTBOX, "credit")

    marker = f"温州市批量测试协会{uuid.uuid4().hex[:6]}"  # the stream also holds other tests' registrations

    async def open_profile(session, event, envelope):
        if event.name == marker:
            await outbox.emit(session, opened())

    bus = Bus(NatsSettings(url=nats_server.url), name="kit-test")
    await bus.connect()
    days = [date(2021, 1, 4), date(2022, 2, 8), date(2023, 3, 15)]
    seqs = [await publish_envelope(nats_server.url, Envelope.wrap(
        registered(d).model_copy(update={"name": marker}), source="registry")) for d in days]
    sub = Subscription(OrganisationRegistered.subject_name, OrganisationRegistered, open_profile,
                       f"kittest{uuid.uuid4().hex[:8]}")
    bus.start_consumers([sub], sessionmaker, INBOX)  # three waiting: pulled and handled together
    try:
        await eventually(lambda: _handled(bus, sub, seqs[-1]))
    finally:
        await bus.close()
    async with sessionmaker() as s:
        payloads = (await s.scalars(select(OUTBOX.c.payload))).all()
    assert sorted(Envelope.model_validate_json(p).effectivedate for p in payloads) == days
