"""投诉举报: anonymous intake, tracking, triage and deadlines, outcome and findings as credit records."""

from __future__ import annotations

from credit_factories import STAFF, open_org, profile


def complaint(uscc: str | None, **over) -> dict:
    return {"kind": "complaint", "target_uscc": uscc, "target_name": "某协会", "content": "收取会费不开票据，拒不退还",
            **over}


async def test_anonymous_complaint_tracked_without_personal_data_when_received(client, app) -> None:
    uscc = await open_org(app)
    received = await client.post("/v1/complaints", json=complaint(uscc))
    assert received.status_code == 201 and received.json()["status"] == "received"
    tracked = (await client.get(f"/v1/complaints/track/{received.json()['tracking_code']}")).json()
    assert set(tracked) == {"tracking_code", "kind", "target_name", "received_on", "status", "handling_due",
                            "outcome", "closed_on"}
    assert (await client.get("/v1/complaints")).status_code == 403


async def test_complainant_phone_masked_for_staff_when_named(client, app) -> None:
    uscc = await open_org(app)
    await client.post("/v1/complaints", json=complaint(uscc, complainant={"name": "王五", "phone": "13800138000"}))
    [row] = [c for c in (await client.get("/v1/complaints", headers=STAFF)).json() if c["target_uscc"] == uscc]
    assert (row["complainant_name"], row["complainant_phone"], row["anonymous"]) == ("王五", "138****8000", False)


async def test_substantiated_finding_creates_penalty_record_and_listing_when_closed(client, app) -> None:
    uscc = await open_org(app)
    await client.post("/v1/complaints", json=complaint(uscc))
    [cid] = [c["complaint_id"] for c in (await client.get("/v1/complaints", headers=STAFF)).json()
             if c["target_uscc"] == uscc]
    triaged = (await client.post(f"/v1/complaints/{cid}/triage", json={"accepted": True, "category": "乱收费"},
                                 headers=STAFF)).json()
    assert triaged["handling_due"] is not None
    assert (await profile(client, uscc))["colour_rule"] == "CODE-3/P-COMPLAINT"  # complaint under verification
    await client.post(f"/v1/complaints/{cid}/assignment", json={"assignee": "李科长"}, headers=STAFF)
    bad = await client.post(f"/v1/complaints/{cid}/outcome", json={"substantiated": False, "finding": "不实",
                                                                    "reward": True}, headers=STAFF)
    assert bad.status_code == 400 and bad.json()["errors"][0]["field"] == "reward"
    closed = await client.post(f"/v1/complaints/{cid}/outcome", json={
        "substantiated": True, "finding": "查实违规收费", "reward": True,
        "record": {"category": "penalty", "title": "违规收费被警告", "penalty": {
            "penalty_type": "warning", "decision_number": "温民罚〔2026〕21号", "legal_basis": "条例第三十条",
            "deciding_body": "温州市民政局"}}}, headers=STAFF)
    assert closed.status_code == 200, closed.text
    assert [c["rule"] for c in closed.json()["changes"]][:1] == ["CR-6.5"] and closed.json()["record_id"]
    assert (await profile(client, uscc))["colour"] == "orange"


async def test_illegal_organisation_report_refused_400_when_it_names_a_registered_code(client, app) -> None:
    uscc = await open_org(app)
    resp = await client.post("/v1/complaints", json=complaint(uscc, kind="illegal_org"))
    assert resp.status_code == 400 and resp.json()["errors"][0]["field"] == "target_uscc"
    ok = await client.post("/v1/complaints", json=complaint(None, kind="illegal_org", target_name="某未登记“商会”"))
    assert ok.status_code == 201


async def test_complaints_kept_to_jurisdiction_and_complainant_seen_only_by_the_handling_department(client,
                                                                                                   app) -> None:
    """AUTH-2 (issue 12): a 330304 (瓯海) staff account and a 330302001 township account listed a complaint against a
    330302 organisation with the complainant's full name. Now only the handling department sees who complained."""
    uscc = await open_org(app)  # division 330302
    await client.post("/v1/complaints", json=complaint(uscc, complainant={"name": "王五", "phone": "13800138000"}))
    ouhai = {**STAFF, "x-yishe-division": "330304"}
    township = {**STAFF, "x-yishe-division": "330302001"}
    for outsider in (ouhai, township):
        listed = (await client.get("/v1/complaints", headers=outsider)).json()
        assert [c for c in listed if c["target_uscc"] == uscc] == []
    lucheng = {**STAFF, "x-yishe-division": "330302"}
    [row] = [c for c in (await client.get("/v1/complaints", headers=lucheng)).json() if c["target_uscc"] == uscc]
    assert row["complainant_name"] == "王五"
    assert (await client.get(f"/v1/complaints/{row['complaint_id']}", headers=ouhai)).status_code == 404
    supervisor = {"x-yishe-role": "supervisor", "x-yishe-actor": "culture-bureau", "x-yishe-division": "330302"}
    [seen] = [c for c in (await client.get("/v1/complaints", headers=supervisor)).json() if c["target_uscc"] == uscc]
    assert seen["complainant_name"] is None and seen["complainant_phone"] is None
