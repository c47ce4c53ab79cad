from __future__ import annotations

from datetime import date

from registry_factories import CHARTER, STAFF, events, registered


async def test_charter_versions_and_party_clause_checked_at_approval(client, app, clock) -> None:
    org = await registered(client, clock(date(2026, 5, 1)))
    url = f"/v1/organisations/{org['uscc']}/charters"
    org_headers = {"x-yishe-role": "org", "x-yishe-actor": org["uscc"]}
    plain = await client.post(url, json={"text": "第一条 本会名称。第二条 本会宗旨。第三条 会员。" * 2},
                              headers=org_headers)
    assert plain.status_code == 201 and plain.json()["version"] == 2 and plain.json()["party_building_clause"] is False
    refused = await client.post(f"{url}/2/approve", json={}, headers=STAFF)
    assert refused.status_code == 400 and refused.json()["errors"][0]["rule"] == "PARTY-11"
    amended = await client.post(url, json={"text": CHARTER + "第九条 修改。"}, headers=org_headers)
    assert amended.json()["version"] == 3
    assert (await client.post(f"{url}/3/approve", json={"opinion": "核准"}, headers=STAFF)).status_code == 200
    versions = {c["version"]: c["status"] for c in (await client.get(url)).json()}
    assert versions == {1: "superseded", 2: "submitted", 3: "approved"}
    assert [e["version"] for e in await events(app, "registry.charter.approved.v1", org["uscc"])] == [1, 3]


async def test_charter_and_matter_refused_403_for_staff_outside_division(client, clock) -> None:
    """AUTH-2: staff limited to another division neither submit a charter nor file a matter for this organisation."""
    org = await registered(client, clock(date(2026, 5, 1)))
    longwan = {**STAFF, "x-yishe-division": "330303"}
    charter = await client.post(f"/v1/organisations/{org['uscc']}/charters", json={"text": CHARTER}, headers=longwan)
    assert charter.status_code == 403 and charter.json()["errors"][0]["rule"] == "AUTH-2"
    matter = await client.post(f"/v1/organisations/{org['uscc']}/matters", headers=longwan,
                               json={"matter_type": "接受境外捐赠", "summary": "捐赠", "occurred_on": "2026-05-20"})
    assert matter.status_code == 403 and matter.json()["errors"][0]["rule"] == "AUTH-2"
    assert [c["version"] for c in (await client.get(f"/v1/organisations/{org['uscc']}/charters")).json()] == [1]


async def test_charter_submission_and_rejection_emit_and_refused_decisions_emit_nothing(client, app, clock) -> None:
    org = await registered(client, clock(date(2026, 5, 1)))
    uscc, url = org["uscc"], f"/v1/organisations/{org['uscc']}/charters"
    longwan = {**STAFF, "x-yishe-division": "330303"}
    assert (await client.post(url, json={"text": CHARTER}, headers=longwan)).status_code == 403
    assert await events(app, "registry.charter.submitted.v1", uscc) == []
    clock(date(2026, 6, 2))
    plain = await client.post(url, json={"text": "第一条 本会名称。第二条 本会宗旨。第三条 会员。" * 2},
                              headers={"x-yishe-role": "org", "x-yishe-actor": uscc})
    assert plain.status_code == 201
    assert await events(app, "registry.charter.submitted.v1", uscc) == [
        {"uscc": uscc, "version": 2, "party_building_clause": False, "submitted_on": "2026-06-02"}]
    assert (await client.post(f"{url}/2/reject", json={"opinion": "缺少党建条款"}, headers=longwan)).status_code == 403
    assert (await client.post(f"{url}/2/approve", json={}, headers=STAFF)).status_code == 400
    assert await events(app, "registry.charter.rejected.v1", uscc) == []
    clock(date(2026, 6, 9))
    rejected = await client.post(f"{url}/2/reject", json={"opinion": "缺少党建条款"}, headers=STAFF)
    assert rejected.status_code == 200 and rejected.json()["status"] == "rejected"
    assert (await client.post(f"{url}/2/reject", json={"opinion": "再次"}, headers=STAFF)).status_code == 409
    assert await events(app, "registry.charter.rejected.v1", uscc) == [
        {"uscc": uscc, "version": 2, "party_building_clause": False, "rejected_on": "2026-06-09"}]
    assert [e["version"] for e in await events(app, "registry.charter.approved.v1", uscc)] == [1]
