from __future__ import annotations

from datetime import date

from registry_factories import STAFF, audit_exempted, events, history_actions, id_number, registered


async def test_change_records_before_after_and_emits_without_personal_data(client, app, clock) -> None:
    today = clock(date(2026, 5, 1))
    org = await registered(client, today, category=None, supervisory_unit="某局")
    uscc = org["uscc"]
    clock(date(2026, 6, 20))
    await audit_exempted(client, uscc, "legal_rep_change")
    body = {"address": "温州市鹿城区南汇街道锦江路12号", "consent_date": "2026-05-10", "reason": "住所变更",
            "legal_representative": {"name": "林新", "id_number": id_number(date(1980, 1, 1)),
                                     "phone": "13900001111"}}
    resp = await client.post(f"/v1/organisations/{uscc}/changes", json=body, headers=STAFF)
    assert resp.status_code == 200, resp.text
    out = resp.json()
    assert out["late"] is True and out["deadline"] == "2026-06-09"  # REG-2: 30 days after consent
    assert set(out["changes"]) == {"address", "legal_rep_name"}
    [event] = await events(app, "registry.organisation.changed.v1", uscc)
    assert event["changes"]["address"]["after"] == body["address"] and "legal_rep_id_number" not in event["changes"]
    assert "13900001111" not in str(event)
    hist = (await client.get(f"/v1/organisations/{uscc}/history", headers=STAFF)).json()
    changed = next(h for h in hist if h["action"] == "changed")
    assert changed["after"]["late"] is True and "超过30日" in changed["reason"]


async def test_change_needs_consent_date_when_supervised(client, clock) -> None:
    org = await registered(client, clock(date(2026, 5, 1)), category=None, supervisory_unit="某局")
    resp = await client.post(f"/v1/organisations/{org['uscc']}/changes",
                             json={"address": "新住所一号", "reason": "x"}, headers=STAFF)
    assert resp.status_code == 400 and resp.json()["errors"][0]["rule"] == "REG-2"


async def test_rename_moves_the_name_claim_and_search_index(client, clock) -> None:
    org = await registered(client, clock(date(2026, 5, 1)))
    new_name = "温州市鹿城区星河青年志愿者协会"
    resp = await client.post(f"/v1/organisations/{org['uscc']}/changes", json={"name": new_name, "reason": "更名"},
                             headers=STAFF)
    assert resp.status_code == 200, resp.text
    found = (await client.get("/v1/search/organisations", params={"q": "星河青年"})).json()["items"]
    assert [o["uscc"] for o in found] == [org["uscc"]]
    assert (await client.get("/v1/search/organisations", params={"q": org["name"][6:]})).json()["items"] == []
    check = (await client.post("/v1/names/check", json={"org_type": "社会团体", "division_code": "330302",
                                                        "name": org["name"]})).json()
    assert check["taken_by"] is None


async def test_change_refused_when_nothing_changes_or_funds_below_minimum(client, clock) -> None:
    org = await registered(client, clock(date(2026, 5, 1)))
    url = f"/v1/organisations/{org['uscc']}/changes"
    assert (await client.post(url, json={"reason": "无"}, headers=STAFF)).status_code == 400
    low = await client.post(url, json={"activity_funds": "100", "reason": "减资"}, headers=STAFF)
    assert low.status_code == 400 and low.json()["errors"][0]["rule"] == "REG-1"


async def test_branch_rules_by_kind(client, app, clock) -> None:
    today = clock(date(2026, 5, 1))
    group = await registered(client, today)
    pne = await registered(client, today, "民办非企业单位")
    ok = await client.post(f"/v1/organisations/{group['uscc']}/branches", json={"name": "青少年工作委员会"},
                           headers=STAFF)
    assert ok.status_code == 201 and ok.json()["full_name"].endswith("青少年工作委员会")
    regional = await client.post(f"/v1/organisations/{group['uscc']}/branches",
                                 json={"name": "五马分会", "regional": True}, headers=STAFF)
    assert regional.status_code == 400 and regional.json()["errors"][0]["rule"] == "REG-2"
    nested = await client.post(f"/v1/organisations/{group['uscc']}/branches",
                               json={"name": "下属专委会", "parent_branch_id": ok.json()["branch_id"]}, headers=STAFF)
    assert nested.json()["errors"][0]["rule"] == "REG-2"
    none = await client.post(f"/v1/organisations/{pne['uscc']}/branches", json={"name": "分中心"}, headers=STAFF)
    assert none.status_code == 400 and none.json()["errors"][0]["rule"] == "REG-3"
    assert [e["change"] for e in await events(app, "registry.branch.changed.v1")] == ["registered"]
    assert "branch_registered" in await history_actions(client, group["uscc"])


async def test_history_masks_personal_data_for_staff(client, clock) -> None:
    org = await registered(client, clock(date(2026, 5, 1)))
    number = id_number(date(1981, 2, 3))
    await audit_exempted(client, org["uscc"], "legal_rep_change")
    await client.post(f"/v1/organisations/{org['uscc']}/changes", headers=STAFF, json={
        "legal_representative": {"name": "林新", "id_number": number, "phone": "13900001111"}, "reason": "换届"})
    text = (await client.get(f"/v1/organisations/{org['uscc']}/history", headers=STAFF)).text
    assert number not in text and "13900001111" not in text and "139****1111" in text


async def test_leaders_replaced_emit_names_and_roles_only_and_refused_leaders_emit_nothing(client, app, clock) -> None:
    """A leaders' change is `registry.organisation.changed.v1` with "role:name" only (no ID numbers, no birth dates);
    leaders refused by REG-10 change nothing and emit nothing."""
    org = await registered(client, clock(date(2026, 5, 1)))
    uscc, url = org["uscc"], f"/v1/organisations/{org['uscc']}/changes"
    too_old = {"name": "周老", "role": "会长", "id_number": id_number(date(1950, 1, 1))}
    refused = await client.post(url, json={"leaders": [too_old], "reason": "换届"}, headers=STAFF)
    assert refused.status_code == 400 and refused.json()["errors"][0]["rule"] == "REG-10"
    assert await events(app, "registry.organisation.changed.v1", uscc) == []
    number = id_number(date(1978, 4, 5))
    leaders = [{"name": "赵新", "role": "会长", "id_number": number}, {"name": "钱一", "role": "秘书长",
                                                                   "birth_date": "1986-01-02"}]
    resp = await client.post(url, json={"leaders": leaders, "reason": "换届"}, headers=STAFF)
    assert resp.status_code == 200, resp.text
    [event] = await events(app, "registry.organisation.changed.v1", uscc)
    assert event["changes"] == {"leaders": {"before": None, "after": "会长:赵新、秘书长:钱一"}}
    assert number not in str(event) and "1986" not in str(event)
    current = (await client.get(f"/v1/organisations/{uscc}/leaders", headers=STAFF)).json()
    assert {ld["name"] for ld in current if ld["current"]} == {"赵新", "钱一"}
