from __future__ import annotations

from datetime import date

from registry_factories import CHIEF, STAFF, audit_exempted, events, registered


async def test_deregistration_after_liquidation_frees_the_name_and_emits(client, app, clock) -> None:
    org = await registered(client, clock(date(2026, 5, 1)))
    clock(date(2026, 10, 1))
    await audit_exempted(client, org["uscc"], "deregistration")
    resp = await client.post(f"/v1/organisations/{org['uscc']}/deregistration", headers=STAFF,
                             json={"liquidation_completed_on": "2026-09-10", "reason": "清算完毕，申请注销"})
    assert resp.status_code == 200 and resp.json()["status"] == "deregistered" and resp.json()["late"] is True
    [event] = await events(app, "registry.organisation.status_changed.v1", org["uscc"])
    assert (event["from_status"], event["to_status"], event["rule"]) == ("active", "deregistered", "REG-2")
    again = await client.post(f"/v1/organisations/{org['uscc']}/deregistration", headers=STAFF,
                              json={"liquidation_completed_on": "2026-09-10", "reason": "x"})
    assert again.status_code == 409
    check = (await client.post("/v1/names/check", json={"org_type": "社会团体", "division_code": "330302",
                                                        "name": org["name"]})).json()
    assert check["taken_by"] is None


async def test_suspension_and_restoration_with_rules(client, app, clock) -> None:
    org = await registered(client, clock(date(2026, 5, 1)))
    url = f"/v1/organisations/{org['uscc']}/status"
    no_end = await client.post(url, json={"action": "suspend", "rule": "CR-12", "reason": "限期停止活动"},
                               headers=STAFF)
    assert no_end.status_code == 400
    suspended = await client.post(url, headers=STAFF, json={"action": "suspend", "rule": "CR-12", "reason": "处罚",
                                                            "until": "2026-08-01"})
    assert suspended.json()["status"] == "suspended"
    job = (await client.post("/v1/jobs/daily?wait=true&as_of=2026-08-02", headers=STAFF)).json()
    assert job["suspensions_ended"]["sample"] == [org["uscc"]]
    restored = await client.post(url, json={"action": "restore", "rule": "REG-2", "reason": "整改完毕"},
                                 headers=STAFF)
    assert restored.json()["status"] == "active"
    bad = await client.post(url, json={"action": "restore", "rule": "REG-2", "reason": "x"}, headers=STAFF)
    assert bad.status_code == 409


async def test_revocation_then_correction_restores_and_keeps_the_trail(client, app, clock) -> None:
    org = await registered(client, clock(date(2026, 5, 1)))
    uscc = org["uscc"]
    await client.post(f"/v1/organisations/{uscc}/status", headers=STAFF,
                      json={"action": "revoke_certificate", "rule": "CR-12", "reason": "误录"})
    hist = (await client.get(f"/v1/organisations/{uscc}/history", headers=STAFF)).json()
    wrong = next(h for h in hist if h["action"] == "status_changed")["history_id"]
    resp = await client.post(f"/v1/organisations/{uscc}/corrections", headers=CHIEF,
                             json={"history_id": wrong, "reason": "录入错误，经批准更正", "authorised_by": "chief-2"})
    assert resp.status_code == 200 and resp.json()["status"] == "active"
    twice = await client.post(f"/v1/organisations/{uscc}/corrections", headers=CHIEF,
                              json={"history_id": wrong, "reason": "再次", "authorised_by": "chief-2"})
    assert twice.status_code == 409
    statuses = [(e["from_status"], e["to_status"], e["rule"]) for e in
                await events(app, "registry.organisation.status_changed.v1", uscc)]
    assert statuses == [("active", "certificate_revoked", "CR-12"), ("certificate_revoked", "active", "HIST-2")]
    actions = [h["action"] for h in (await client.get(f"/v1/organisations/{uscc}/history", headers=STAFF)).json()]
    assert actions[-2:] == ["status_changed", "corrected"]


async def test_change_correction_restores_previous_values(client, app, clock) -> None:
    org = await registered(client, clock(date(2026, 5, 1)))
    uscc = org["uscc"]
    await client.post(f"/v1/organisations/{uscc}/changes", json={"business_scope": "错误的范围", "reason": "x"},
                      headers=STAFF)
    hist = (await client.get(f"/v1/organisations/{uscc}/history", headers=STAFF)).json()
    hid = next(h for h in hist if h["action"] == "changed")["history_id"]
    resp = await client.post(f"/v1/organisations/{uscc}/corrections", headers=STAFF,
                             json={"history_id": hid, "reason": "录入错误", "authorised_by": "chief-1"})
    assert resp.status_code == 200
    assert (await client.get(f"/v1/organisations/{uscc}")).json()["business_scope"] == "组织公益服务活动"
    scopes = [e["changes"]["business_scope"]["after"] for e in
              await events(app, "registry.organisation.changed.v1", uscc)]
    assert scopes == ["错误的范围", "组织公益服务活动"]


async def test_status_change_outside_jurisdiction_forbidden(client, clock) -> None:
    org = await registered(client, clock(date(2026, 5, 1)))
    other = {**STAFF, "x-yishe-division": "330381"}
    resp = await client.post(f"/v1/organisations/{org['uscc']}/status", headers=other,
                             json={"action": "suspend", "rule": "CR-12", "reason": "x", "until": "2026-09-01"})
    assert resp.status_code == 403 and resp.json()["errors"][0]["rule"] == "AUTH-2"


async def test_suspension_event_carries_its_end_and_a_refused_suspension_emits_nothing(client, app, clock) -> None:
    org = await registered(client, clock(date(2026, 5, 1)))
    url = f"/v1/organisations/{org['uscc']}/status"
    past = await client.post(url, headers=STAFF, json={"action": "suspend", "rule": "CR-12", "reason": "处罚",
                                                       "until": "2026-04-30"})
    assert past.status_code == 400
    assert await events(app, "registry.organisation.status_changed.v1", org["uscc"]) == []
    await client.post(url, headers=STAFF, json={"action": "suspend", "rule": "CR-12", "reason": "处罚",
                                                "until": "2026-08-01"})
    await client.post(url, headers=STAFF, json={"action": "restore", "rule": "REG-2", "reason": "整改完毕"})
    suspended, restored = await events(app, "registry.organisation.status_changed.v1", org["uscc"])
    assert (suspended["to_status"], suspended["suspended_until"]) == ("suspended", "2026-08-01")
    assert (restored["to_status"], restored["suspended_until"]) == ("active", None)


async def test_deregistration_accepted_after_revocation_or_cancellation(client, app, clock) -> None:
    """CR-13: an organisation whose certificate was revoked (吊销) or whose registration was cancelled (撤销) can
    still complete 注销 (which is what takes it off the serious list); was refused from those statuses."""
    for action, status in (("revoke_certificate", "certificate_revoked"), ("cancel_registration",
                                                                          "registration_cancelled")):
        org = await registered(client, clock(date(2026, 5, 1)))
        uscc = org["uscc"]
        changed = await client.post(f"/v1/organisations/{uscc}/status", headers=STAFF,
                                    json={"action": action, "rule": "CR-12", "reason": "严重违法"})
        assert changed.json()["status"] == status
        clock(date(2026, 7, 1))
        await audit_exempted(client, uscc, "deregistration")  # TPA-3 holds after 吊销/撤销 too
        resp = await client.post(f"/v1/organisations/{uscc}/deregistration", headers=STAFF,
                                 json={"liquidation_completed_on": "2026-06-25", "reason": "清算完毕，申请注销"})
        assert resp.status_code == 200, resp.text
        assert resp.json()["status"] == "deregistered" and resp.json()["late"] is False
        statuses = [(e["from_status"], e["to_status"]) for e in
                    await events(app, "registry.organisation.status_changed.v1", uscc)]
        assert statuses == [("active", status), (status, "deregistered")]
