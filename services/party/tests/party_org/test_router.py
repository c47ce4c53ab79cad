from __future__ import annotations

from party_factories import PARTY, STAFF, establish, open_record, problem_rules, registered


async def _opened(app, *events):
    for e in events:
        await open_record(app, e)
    return [e.uscc for e in events]


async def _establish(client, units, **extra):
    body = {"name": "联合党支部", "formation": "joint", "units": units, "established_on": "2026-12-01", **extra}
    return await client.post("/v1/party-organisations", json=body, headers=PARTY)


async def test_joint_branch_refused_when_more_than_five_units(client, app) -> None:
    units = await _opened(app, *(registered(1) for _ in range(6)))
    response = await _establish(client, units)
    assert response.status_code == 400 and problem_rules(response) == {"PARTY-2"}
    assert (await client.get("/v1/party-organisations", headers=PARTY)).json() == []


async def test_joint_branch_refused_when_units_mix_divisions(client, app) -> None:
    units = await _opened(app, registered(1), registered(2, division="330303"))
    response = await _establish(client, units)
    assert response.status_code == 400 and problem_rules(response) == {"PARTY-2"}
    assert "330302" in response.json()["errors"][0]["message_zh"]


async def test_joint_branch_refused_when_a_unit_must_have_its_own(client, app) -> None:
    units = await _opened(app, registered(1), registered(3))
    response = await _establish(client, units)
    assert response.status_code == 400 and problem_rules(response) == {"PARTY-1"}


async def test_joint_branch_refused_when_fewer_than_three_full_members_in_total(client, app) -> None:
    units = await _opened(app, registered(1), registered(0, 2))
    response = await _establish(client, units)
    assert response.status_code == 400 and problem_rules(response) == {"PARTY-2"}


async def test_own_organisation_refused_when_fewer_than_three_full_members(client, app) -> None:
    [uscc] = await _opened(app, registered(2))
    response = await _establish(client, [uscc], formation="own")
    assert response.status_code == 400 and problem_rules(response) == {"PARTY-1"}


async def test_second_party_org_refused_when_unit_already_covered(client, app) -> None:
    a, b, c = await _opened(app, registered(1), registered(2), registered(1))
    assert (await _establish(client, [a, b])).status_code == 201
    response = await _establish(client, [b, c])
    assert response.status_code == 409 and problem_rules(response) == {"PARTY-2"}


async def test_joint_branch_covers_units_and_takes_more_up_to_limit_when_established(client, app) -> None:
    a, b, c = await _opened(app, registered(1), registered(2), registered(1))
    org = (await _establish(client, [a, b])).json()
    assert [u["uscc"] for u in org["units"]] == [a, b] and org["reelection_due"] == "2029-12-01"
    record = (await client.get(f"/v1/records/{a}")).json()
    assert record["party_org_id"] == org["org_id"] and record["formation_task"]["status"] == "done"
    added = await client.post(f"/v1/party-organisations/{org['org_id']}/units", json={"uscc": c}, headers=PARTY)
    assert added.status_code == 200 and len(added.json()["units"]) == 3
    suggestion = (await client.get(f"/v1/records/{c}/joint-branch-suggestions", headers=PARTY)).json()
    assert suggestion["applicable"] is False


async def test_establishment_refused_when_role_is_staff(client, app) -> None:
    [uscc] = await _opened(app, registered(3))
    response = await client.post("/v1/party-organisations", headers=STAFF, json={
        "name": "党支部", "formation": "own", "units": [uscc], "established_on": "2026-12-01"})
    assert response.status_code == 403


async def test_cross_appointment_and_term_tracked_when_elected(client, app) -> None:
    [uscc] = await _opened(app, registered(5))
    org = await establish(client, [uscc], secretary={"name": "陈书记", "org_position": "秘书长"}, committee=[
        {"name": "林委员", "committee_role": "discipline_member", "org_position": "监事"}])
    cross = org["cross_appointment"]
    assert cross["cross_appointed"] and cross["secretary_in_leadership"] and cross["discipline_member_is_supervisor"]
    assert org["reelection_due"] == "2029-12-01"
    elected = await client.post(f"/v1/party-organisations/{org['org_id']}/elections", headers=PARTY, json={
        "held_on": "2029-11-20", "secretary": {"name": "周书记"}, "committee": []})
    body = elected.json()
    assert elected.status_code == 200 and body["reelection_due"] == "2032-11-20"
    assert body["secretary_name"] == "周书记" and body["cross_appointment"]["cross_appointed"] is False
    due = (await client.get("/v1/party-organisations?reelection_due_before=2033-01-01", headers=STAFF)).json()
    assert [o["org_id"] for o in due] == [org["org_id"]]


async def test_dissolution_uncovers_units_when_dissolved(client, app) -> None:
    [uscc] = await _opened(app, registered(3))
    org = await establish(client, [uscc])
    response = await client.post(f"/v1/party-organisations/{org['org_id']}/dissolution", headers=PARTY,
                                 json={"dissolved_on": "2027-06-30", "reason": "党员转出，不足3名"})
    assert response.status_code == 200 and response.json()["units"][0]["left_on"] == "2027-06-30"
    record = (await client.get(f"/v1/records/{uscc}")).json()
    assert record["party_org_id"] is None and record["formation_task"]["status"] == "open"
    again = await client.post(f"/v1/party-organisations/{org['org_id']}/units", json={"uscc": uscc}, headers=PARTY)
    assert again.status_code == 409
