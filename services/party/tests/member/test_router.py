from __future__ import annotations

from party_factories import INTERNAL, PARTY, STAFF, id_number, open_record, outbox_events, problem_rules, registered
from sqlalchemy import select, text

from yishe_party.member.models import PartyMember


async def _add(client, uscc: str, **body):
    payload = {"name": "赵六", "status": "正式党员", "id_number": id_number(), "effective_on": "2026-12-01", **body}
    return await client.post(f"/v1/records/{uscc}/members", json=payload, headers=PARTY)


async def test_member_id_number_kept_only_masked_and_keyed_hash_when_captured(client, app) -> None:
    event = registered(1)
    await open_record(app, event)
    number = id_number("19800505")
    response = await _add(client, event.uscc, id_number=number, phone="13900139000")
    assert response.status_code == 201, response.text
    assert response.json()["id_number"] == number[:6] + "********" + number[-4:]
    async with app.state.sessionmaker() as s:
        dump = " ".join(str(v) for row in (await s.execute(text("SELECT * FROM party_member"))).all() for v in row)
        stored = await s.scalar(select(PartyMember.id_number_hash).where(PartyMember.uscc == event.uscc))
    assert number not in dump and "19800505" not in dump
    assert stored is not None and len(stored) == 64


async def test_personal_data_refused_when_role_is_not_party_building(client, app) -> None:
    event = registered(1)
    await open_record(app, event)
    for headers in ({}, STAFF, INTERNAL, {"x-yishe-role": "org", "x-yishe-actor": event.uscc}):
        response = await client.get(f"/v1/records/{event.uscc}/members", headers=headers)
        assert response.status_code == 403, headers
    assert (await client.get(f"/v1/records/{event.uscc}/members", headers=PARTY)).status_code == 200


async def test_member_write_refused_when_role_is_not_party_or_outside_division(client, app) -> None:
    event = registered(1)
    await open_record(app, event)
    payload = {"name": "赵六", "status": "正式党员"}
    assert (await client.post(f"/v1/records/{event.uscc}/members", json=payload, headers=STAFF)).status_code == 403
    other_division = {**PARTY, "x-yishe-division": "3304"}
    response = await client.post(f"/v1/records/{event.uscc}/members", json=payload, headers=other_division)
    assert response.status_code == 403 and response.json()["code"] == "outside_jurisdiction"


async def test_malformed_id_number_refused_with_rule_when_member_added(client, app) -> None:
    event = registered(1)
    await open_record(app, event)
    response = await _add(client, event.uscc, id_number="330302197001010000")
    assert response.status_code == 400 and problem_rules(response) == {"ID-1"}
    assert (await client.get(f"/v1/records/{event.uscc}/members", headers=PARTY)).json() == []


async def test_same_person_refused_when_active_in_another_organisation(client, app) -> None:
    first, second = registered(0), registered(0)
    await open_record(app, first)
    await open_record(app, second)
    number = id_number()
    assert (await _add(client, first.uscc, id_number=number)).status_code == 201
    response = await _add(client, second.uscc, id_number=number)
    assert response.status_code == 409 and problem_rules(response) == {"PARTY-5"}


async def test_transfer_moves_counts_and_history_when_to_organisation_on_platform(client, app) -> None:
    source, target = registered(3), registered(2)
    await open_record(app, source)
    await open_record(app, target)
    member = (await _add(client, source.uscc)).json()
    response = await client.post(f"/v1/members/{member['member_id']}/transfer-out", headers=PARTY,
                                 json={"to_uscc": target.uscc, "effective_on": "2026-12-10"})
    assert response.status_code == 200 and response.json()["state"] == "transferred_out"
    source_read = (await client.get(f"/v1/records/{source.uscc}", headers=PARTY)).json()
    target_read = (await client.get(f"/v1/records/{target.uscc}", headers=PARTY)).json()
    assert (source_read["full_members"], target_read["full_members"]) == (3, 3)
    assert target_read["route"] == "own_organisation"
    [changed] = await outbox_events(app, "party.route.changed.v1", target.uscc)
    assert changed["to_route"] == "own_organisation"
    history = (await client.get(f"/v1/members/{member['member_id']}/history", headers=PARTY)).json()
    assert [h["action"] for h in history] == ["added", "transferred_out"]
    assert history[-1]["counterpart_uscc"] == target.uscc


async def test_conversion_and_removal_change_counts_when_member_changes(client, app) -> None:
    event = registered(2, 1)
    await open_record(app, event)
    member = (await _add(client, event.uscc, status="预备党员")).json()
    converted = await client.patch(f"/v1/members/{member['member_id']}", headers=PARTY,
                                   json={"status": "正式党员", "effective_on": "2027-01-05"})
    assert converted.status_code == 200 and converted.json()["status"] == "正式党员"
    read = (await client.get(f"/v1/records/{event.uscc}", headers=PARTY)).json()
    assert (read["full_members"], read["probationary_members"], read["route"]) == (3, 1, "own_organisation")
    back = await client.patch(f"/v1/members/{member['member_id']}", headers=PARTY, json={"status": "预备党员"})
    assert back.status_code == 409
    removed = await client.post(f"/v1/members/{member['member_id']}/removal", headers=PARTY,
                                json={"reason": "去世", "effective_on": "2027-02-01"})
    assert removed.status_code == 200 and removed.json()["state"] == "removed"
    read = (await client.get(f"/v1/records/{event.uscc}", headers=PARTY)).json()
    assert (read["full_members"], read["route"]) == (2, "joint_branch")
    again = await client.post(f"/v1/members/{member['member_id']}/removal", headers=PARTY, json={"reason": "重复"})
    assert again.status_code == 409
