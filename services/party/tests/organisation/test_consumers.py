from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import func, select

from yishe_contracts.envelope import Envelope
from yishe_contracts.events.registry import OrganisationRegistered, PartyMemberCaptured
from yishe_kit.testing import eventually, publish_envelope
from yishe_party.db import metadata
from yishe_party.member.models import PartyMember
from yishe_party.record.models import PartyRecord

pytestmark = pytest.mark.nats

_seq = iter(range(1, 10_000))
DURABLE = "party-registry-organisation-registered-v1"


def registered(full: int, probationary: int = 0, members: list[PartyMemberCaptured] | None = None,
               ) -> OrganisationRegistered:
    from yishe_contracts.identifiers import encode_sequence, make_uscc

    uscc = make_uscc(category="1", division_code="330302", body8="MJ" + encode_sequence(next(_seq) + 5000))
    return OrganisationRegistered(
        uscc=uscc, name=f"测试协会{uscc[-4:]}", org_type="社会团体", division_code="330302", address="温州",
        legal_representative="张三", business_scope="公益", registered_at=datetime.now(UTC),
        registration_date=date(2026, 11, 22), party_full_members=full, party_probationary_members=probationary,
        party_members=members or [],
    )


async def _record(app, uscc: str) -> PartyRecord | None:
    async with app.state.sessionmaker() as s:
        return await s.get(PartyRecord, uscc)


@pytest.mark.parametrize(("full", "probationary", "route", "rule"), [
    (0, 0, "instructor", "PARTY-3"),
    (2, 0, "joint_branch", "PARTY-2"),
    (0, 1, "joint_branch", "PARTY-2"),
    (3, 0, "own_organisation", "PARTY-1"),
    (4, 1, "own_organisation", "PARTY-1"),
])
async def test_registration_opens_record_with_route_when_members_counted(
        client, app, nats_server, full, probationary, route, rule) -> None:
    event = registered(full, probationary)
    await publish_envelope(nats_server.url, Envelope.wrap(event, source="registry", correlation_id="corr-1"))
    record = await eventually(lambda: _record(app, event.uscc))
    assert (record.route, record.route_rule) == (route, rule)
    assert record.capture_task_due == date(2026, 12, 22)  # PARTY-5: 30 days by default
    outbox = app.state.outbox.table
    async with app.state.sessionmaker() as s:
        rows = (await s.execute(select(outbox.c.payload).where(outbox.c.subject == "party.record.opened.v1"))).all()
    [env] = [e for e in (Envelope.model_validate_json(r.payload) for r in rows) if e.subject == event.uscc]
    assert env.data["route"] == route
    assert env.correlationid == "corr-1"


async def test_repeated_delivery_changes_nothing_when_same_event_twice(client, app, nats_server) -> None:
    event = registered(1, members=[PartyMemberCaptured(name="李四", status="正式党员", id_number="11010519491231002X")])
    envelope = Envelope.wrap(event, source="registry")
    # Two different message ids get past JetStream's dedupe window: only the inbox stops the repeat.
    await publish_envelope(nats_server.url, envelope, msg_id="first")
    second = await publish_envelope(nats_server.url, envelope, msg_id="second")
    await eventually(lambda: app.state.bus.acked_through(DURABLE, event.subject_name, second))
    async with app.state.sessionmaker() as s:
        members = await s.scalar(select(func.count()).select_from(PartyMember).where(PartyMember.uscc == event.uscc))
        inbox = metadata.tables["inbox"]
        seen = await s.scalar(select(func.count()).select_from(inbox).where(inbox.c.event_id == envelope.id))
        outbox = app.state.outbox.table
        payloads = (await s.execute(select(outbox.c.payload).where(outbox.c.subject == "party.record.opened.v1"))).all()
    opened = [p for p in payloads if Envelope.model_validate_json(p.payload).subject == event.uscc]
    assert members == 1 and len(opened) == 1 and seen == 1


async def test_member_id_numbers_masked_and_hidden_from_public_when_read(client, app, nats_server) -> None:
    event = registered(3, members=[PartyMemberCaptured(name="王五", status="正式党员", id_number="11010519491231002X",
                                                       phone="13800138000")])
    await publish_envelope(nats_server.url, Envelope.wrap(event, source="registry"))
    await eventually(lambda: _record(app, event.uscc))
    public = (await client.get(f"/v1/records/{event.uscc}")).json()
    assert public["members"] is None and public["full_members"] is None
    assert public["route"] == "own_organisation"
    party = (await client.get(f"/v1/records/{event.uscc}", headers={"x-yishe-role": "party"})).json()
    assert party["members"] == [{"name": "王五", "status": "正式党员", "id_number": "110105********002X",
                                 "phone": "138****8000"}]
    assert "19491231" not in (await client.get(f"/v1/records/{event.uscc}",
                                               headers={"x-yishe-role": "internal"})).text


async def test_sector_from_event_and_supervisory_unit_only_when_no_sector(client, app, nats_server) -> None:
    with_sector = registered(0).model_copy(update={"sector": "教育", "supervisory_unit": "温州市教育局"})
    without = registered(0).model_copy(update={"supervisory_unit": "温州市科学技术协会"})
    for event in (with_sector, without):
        await publish_envelope(nats_server.url, Envelope.wrap(event, source="registry"))
    assert (await eventually(lambda: _record(app, with_sector.uscc))).sector == "教育"
    assert (await eventually(lambda: _record(app, without.uscc))).sector == "温州市科学技术协会"


async def test_capture_task_runs_from_publication_when_imported_from_legacy_data(client, app, nats_server) -> None:
    """PARTY-5 for a record imported years after its registration: due 30 days after the platform learned of it
    (registry published it at 02:00 on 22 Nov, Beijing time), not 30 days after 2015-03-01; registered ones keep
    their registration date."""
    published = datetime(2026, 11, 21, 18, 0, tzinfo=UTC)
    imported = registered(0).model_copy(update={"registration_date": date(2015, 3, 1), "source": "import"})
    registered_then = registered(0).model_copy(update={"registration_date": date(2015, 3, 1),
                                                       "source": "registration"})
    for event in (imported, registered_then):
        envelope = Envelope.wrap(event, source="registry").model_copy(update={"time": published})
        await publish_envelope(nats_server.url, envelope)
    record = await eventually(lambda: _record(app, imported.uscc))
    assert (record.capture_task_due, record.formation_due) == (date(2026, 12, 22), date(2026, 12, 22))
    assert (await eventually(lambda: _record(app, registered_then.uscc))).capture_task_due == date(2015, 3, 31)
