"""The 一社一码 read model (yishe_kit.readmodel): the gateway's read of a record comes from it, equals the live route
byte for byte, and shows every kind of change on the very next read."""

from __future__ import annotations

from datetime import date

from party_factories import PARTY, establish, id_number, open_record, registered

from yishe_contracts.events.registry import OrganisationStatusChanged
from yishe_party.organisation import service

GATEWAY = {"x-yishe-role": "internal", "x-yishe-actor": "gateway"}
LIVE = {"x-yishe-role": "internal", "x-yishe-actor": "operator"}  # the same view, through FastAPI's route


async def read(client, app, uscc: str) -> dict:
    """The gateway's read, checked against the live route; returns the record."""
    fast = await client.get(f"/v1/records/{uscc}", headers=GATEWAY)
    live = await client.get(f"/v1/records/{uscc}", headers=LIVE)
    assert fast.status_code == live.status_code == 200, fast.text
    assert fast.content == live.content
    return fast.json()


async def held(client, app, uscc: str) -> dict:
    """Read twice: the second read is served from the stored fragment (no build)."""
    await read(client, app, uscc)
    builds = app.state.read_model.builds
    record = await read(client, app, uscc)
    assert app.state.read_model.builds == builds
    return record


async def test_gateway_read_is_the_stored_internal_view(client, app) -> None:
    event = registered(2)
    await open_record(app, event)
    record = await held(client, app, event.uscc)
    assert record["full_members"] == 2 and record["route"] == "joint_branch"
    assert app.state.read_model.reads >= 1
    missing = await client.get(f"/v1/records/{registered().uscc}", headers=GATEWAY)
    assert missing.status_code == 404 and missing.json()["code"] == "party_record_not_found"


async def test_record_changes_show_on_the_next_read(client, app) -> None:
    event = registered(2)
    await open_record(app, event)
    await held(client, app, event.uscc)
    corrected = await client.put(f"/v1/records/{event.uscc}/member-counts", headers=PARTY, json={
        "full_members": 3, "probationary_members": 0, "effective_on": "2026-12-01", "reason": "核实"})
    assert corrected.status_code == 200
    record = await read(client, app, event.uscc)
    assert (record["full_members"], record["route"]) == (3, "own_organisation")
    await held(client, app, event.uscc)
    confirmed = await client.post(f"/v1/records/{event.uscc}/capture-confirmation", headers=PARTY,
                                  json={"confirmed_on": "2026-11-30"})
    assert confirmed.status_code == 200
    assert (await read(client, app, event.uscc))["capture_task_status"] == "done"
    await held(client, app, event.uscc)
    assert (await client.patch(f"/v1/records/{event.uscc}/profile", headers=PARTY,
                               json={"sector": "教育"})).status_code == 200
    assert (await read(client, app, event.uscc))["sector"] == "教育"
    await held(client, app, event.uscc)
    member = await client.post(f"/v1/records/{event.uscc}/members", headers=PARTY,
                               json={"name": "王五", "id_number": id_number(), "effective_on": "2026-12-02"})
    assert member.status_code == 201, member.text
    assert (await read(client, app, event.uscc))["full_members"] == 4


async def test_party_organisation_and_registry_status_show_on_the_next_read(client, app) -> None:
    event = registered(3)
    await open_record(app, event)
    await held(client, app, event.uscc)
    org = await establish(client, [event.uscc])
    record = await read(client, app, event.uscc)
    assert record["party_org_id"] == org["org_id"] and record["formation_task"]["status"] == "done"
    await held(client, app, event.uscc)
    changed = OrganisationStatusChanged(uscc=event.uscc, from_status="active", to_status="suspended", rule="CR-12",
                                        reason="限期停止活动", effective_date=date(2026, 12, 5),
                                        decided_by="温州市民政局")
    async with app.state.sessionmaker() as session, session.begin():  # what the consumer runs
        await service.on_status_changed(session, changed, settings=app.state.settings)
    assert (await read(client, app, event.uscc))["status"] == "suspended"
