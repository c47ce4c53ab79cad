"""CR-15: objection → acceptance → verification → correction, with working-day deadlines."""

from __future__ import annotations

from datetime import date

from credit_factories import STAFF, daily, list_manually, open_org, org_headers, penalty, profile


async def test_objection_deadlines_follow_the_working_day_calendar_when_submitted_before_national_day(client, app):
    uscc = await open_org(app)
    entry = (await list_manually(client, uscc, trigger="CR-6.6", on=date(2026, 9, 1))).json()
    resp = await client.post("/v1/objections", json={"uscc": uscc, "target_type": "listing",
                                                     "target_id": entry["entry_id"], "reason": "我会一直在登记住所办公",
                                                     "submitted_on": "2026-09-30"}, headers=org_headers(uscc))
    assert resp.status_code == 201 and resp.json()["accept_due"] == "2026-10-13"
    accepted = (await client.post(f"/v1/objections/{resp.json()['objection_id']}/acceptance",
                                  json={"accepted": True, "decided_on": "2026-10-12"}, headers=STAFF)).json()
    assert accepted["verify_due"] == "2026-11-09"  # 20 working days
    attention = (await daily(client, date(2026, 11, 10)))["attention"]
    assert any(a["what"] == "objection_overdue" and a["uscc"] == uscc for a in attention)


async def test_wrong_listing_corrected_and_withdrawn_from_publication_when_objection_upheld(client, app) -> None:
    uscc = await open_org(app)
    entry = (await list_manually(client, uscc, trigger="CR-6.6", on=date(2026, 9, 1))).json()
    oid = (await client.post("/v1/objections", json={"uscc": uscc, "target_type": "listing",
                                                     "target_id": entry["entry_id"], "reason": "信函寄错地址"},
                             headers=org_headers(uscc))).json()["objection_id"]
    early = await client.post(f"/v1/objections/{oid}/correction", json={"correction": "x"}, headers=STAFF)
    assert early.status_code == 409  # not yet verified
    await client.post(f"/v1/objections/{oid}/acceptance", json={"accepted": True}, headers=STAFF)
    verified = (await client.post(f"/v1/objections/{oid}/verification",
                                  json={"upheld": True, "finding": "邮寄地址录入错误"}, headers=STAFF)).json()
    assert verified["status"] == "upheld" and verified["correct_due"] is not None
    done = await client.post(f"/v1/objections/{oid}/correction", json={"correction": "撤销错误列入"}, headers=STAFF)
    assert done.status_code == 200 and done.json()["status"] == "corrected"
    body = await profile(client, uscc)
    assert (body["colour"], body["abnormal_listed"]) == ("green", False)
    assert (await client.get(f"/v1/profiles/{uscc}")).json()["list_entries"] == []  # an error is not published
    assert body["list_entries"][0]["end_rule"] == "CR-15"
    assert (await client.get(f"/v1/profiles/{uscc}/publication")).json() == []


async def test_corrected_penalty_record_ends_the_listing_it_caused_when_objection_upheld(client, app) -> None:
    uscc = await open_org(app)
    record = (await penalty(client, uscc, kind="warning", on=date(2026, 8, 3)))["record"]
    oid = (await client.post("/v1/objections", json={"uscc": uscc, "target_type": "record",
                                                     "target_id": record["record_id"], "reason": "处罚已被复议撤销"},
                             headers=org_headers(uscc))).json()["objection_id"]
    await client.post(f"/v1/objections/{oid}/acceptance", json={"accepted": True}, headers=STAFF)
    await client.post(f"/v1/objections/{oid}/verification", json={"upheld": True, "finding": "复议决定撤销"},
                      headers=STAFF)
    await client.post(f"/v1/objections/{oid}/correction", json={"correction": "更正处罚记录"}, headers=STAFF)
    assert (await profile(client, uscc))["abnormal_listed"] is False
    assert (await client.get(f"/v1/profiles/{uscc}/records")).json() == []


async def test_objection_403_when_another_organisation_objects(client, app) -> None:
    uscc, other = await open_org(app), await open_org(app)
    entry = (await list_manually(client, uscc, trigger="CR-6.6", on=date(2026, 9, 1))).json()
    resp = await client.post("/v1/objections", json={"uscc": uscc, "target_type": "listing",
                                                     "target_id": entry["entry_id"], "reason": "x"},
                             headers=org_headers(other))
    assert resp.status_code == 403


async def test_open_objection_is_an_early_warning_when_organisation_is_green(client, app) -> None:
    uscc = await open_org(app)
    finding = {"uscc": uscc, "category": "inspection", "title": "检查发现账目不清", "formed_on": "2026-09-01"}
    record = (await client.post("/v1/records", json=finding, headers=STAFF)).json()["record"]
    await client.post("/v1/objections", json={"uscc": uscc, "target_type": "record", "target_id": record["record_id"],
                                              "reason": "账目清楚"}, headers=org_headers(uscc))
    body = await profile(client, uscc, org_headers(uscc))
    assert (body["colour"], body["colour_rule"]) == ("yellow", "CODE-3/CR-15")
    assert body["early_warnings"] == [{"rule": "CR-15", "reason": "异议核查中", "until": None}]
