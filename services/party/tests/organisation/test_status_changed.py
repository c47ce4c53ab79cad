from __future__ import annotations

from datetime import date

import pytest
from party_factories import PARTY, STAFF, add_talent, outbox_events, registered

from yishe_contracts.envelope import Envelope
from yishe_contracts.events.registry import FilingChanged, OrganisationStatusChanged
from yishe_kit.testing import eventually, publish_envelope
from yishe_party.record.models import PartyRecord

pytestmark = pytest.mark.nats


def _deregistered(uscc: str, on: date = date(2027, 4, 30)) -> OrganisationStatusChanged:
    return OrganisationStatusChanged(uscc=uscc, from_status="active", to_status="deregistered", rule="REG-2",
                                     reason="注销登记", effective_date=on, decided_by="温州市鹿城区民政局")


async def _status(app, uscc: str) -> str | None:
    async with app.state.sessionmaker() as s:
        record = await s.get(PartyRecord, uscc)
        return record.status if record else None


async def test_deregistered_organisation_leaves_coverage_when_status_changes(client, app, nats_server) -> None:
    talent = await add_talent(client)
    zero, four = registered(0), registered(4)
    for e in (zero, four):
        await publish_envelope(nats_server.url, Envelope.wrap(e, source="registry"))
    await eventually(lambda: _status(app, four.uscc))
    await eventually(lambda: _status(app, zero.uscc))
    run = (await client.post("/v1/jobs/daily?wait=true&as_of=2027-01-10", headers=STAFF)).json()
    assert [c["uscc"] for c in run["coverage_changes"]] == [four.uscc]
    for e in (zero, four):
        await publish_envelope(nats_server.url, Envelope.wrap(_deregistered(e.uscc), source="registry"))
    await eventually(lambda: _status_is(app, zero.uscc, "deregistered"))
    await eventually(lambda: _status_is(app, four.uscc, "deregistered"))
    [cover] = (await client.get(f"/v1/records/{zero.uscc}/work-covers", headers=PARTY)).json()
    assert cover["ended_on"] == "2027-04-30" and cover["talent_id"] == talent["talent_id"]
    run = (await client.post("/v1/jobs/daily?wait=true&as_of=2027-05-01", headers=STAFF)).json()
    assert [(c["uscc"], c["covered"], c["required"]) for c in run["coverage_changes"]] == [(four.uscc, False, False)]
    coverage = (await client.get("/v1/coverage?as_of=2027-05-01", headers=STAFF)).json()
    assert coverage["total"]["organisations"] == 0
    earlier = (await client.get("/v1/coverage?as_of=2027-01-10", headers=STAFF)).json()
    assert earlier["total"]["organisations"] == 2
    events = await outbox_events(app, "party.coverage.changed.v1", four.uscc)
    assert [(e["covered"], e["required"], e["rule"]) for e in events] == [(False, True, "CR-6.2"),
                                                                          (False, False, "PARTY-5")]


async def _status_is(app, uscc: str, status: str) -> bool:
    return await _status(app, uscc) == status


async def test_status_change_applied_when_it_arrives_before_registration(client, app, nats_server) -> None:
    event = registered(1)
    await publish_envelope(nats_server.url, Envelope.wrap(_deregistered(event.uscc), source="registry"))
    await publish_envelope(nats_server.url, Envelope.wrap(event, source="registry"))
    await eventually(lambda: _status_is(app, event.uscc, "deregistered"), timeout=20)
    response = await client.post(f"/v1/records/{event.uscc}/members", headers=PARTY, json={"name": "某某"})
    assert response.status_code == 409 and response.json()["code"] == "organisation_inactive"


async def _community(app, uscc: str) -> bool:
    async with app.state.sessionmaker() as s:
        record = await s.get(PartyRecord, uscc)
        return bool(record and record.community)


async def test_registered_community_filing_sets_community_affiliation_when_filing_changes(
        client, app, nats_server) -> None:
    event = registered(0, name="温州市鹿城区五马街道文体服务队")
    await publish_envelope(nats_server.url, Envelope.wrap(event, source="registry"))
    await eventually(lambda: _status(app, event.uscc))
    assert (await client.get(f"/v1/records/{event.uscc}/affiliation")).json()["type"] == "direct_without_party_org"
    filing = FilingChanged(filing_no="鹿五马备2026001", name=event.name, community_class="文体活动类",
                           division_code="330302", township_code="330302001", status="registered", uscc=event.uscc,
                           changed_on=date(2026, 11, 22))
    await publish_envelope(nats_server.url, Envelope.wrap(filing, source="registry"))
    await eventually(lambda: _community(app, event.uscc))
    assert (await client.get(f"/v1/records/{event.uscc}/affiliation")).json()["type"] == "community"
