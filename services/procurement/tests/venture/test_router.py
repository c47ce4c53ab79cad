from __future__ import annotations

from datetime import date

from procurement_fixtures.factories import known_org, org, rules, staff


async def _round(client, source: str = "welfare_lottery") -> dict:
    resp = await client.post("/v1/venture/rounds", headers=staff(), json={
        "title": "2027年鹿城区社区公益创投", "year": 2027, "division_code": "330302", "funding_source": source,
        "pool_amount": "200000", "apply_until": "2027-03-31"})
    assert resp.status_code == 201, resp.text
    return resp.json()


def _application(uscc: str, labour: str, other: str) -> dict:
    total = str(int(labour) + int(other))
    return {"uscc": uscc, "title": "银龄互助关爱行动", "summary": "组织低龄老人结对探访高龄独居老人，每月开展活动",
            "requested_amount": total,
            "budget": [{"category": "labour", "description": "项目社工补贴", "amount": labour},
                       {"category": "activity", "description": "活动物资", "amount": other}]}


async def test_lottery_budget_with_labour_over_half_is_refused_with_proc_11(app, client, clock) -> None:
    rnd = await _round(client)
    uscc = await known_org(app)
    clock.fixed = date(2027, 2, 1)
    resp = await client.post(f"/v1/venture/rounds/{rnd['round_id']}/applications", headers=org(uscc),
                             json=_application(uscc, "30001", "29999"))
    assert resp.status_code == 400 and rules(resp) == ["PROC-11"]
    assert "30001" in resp.json()["errors"][0]["message_zh"]


async def test_fiscal_round_has_no_labour_cap_when_applying(app, client, clock) -> None:
    rnd = await _round(client, "fiscal")
    uscc = await known_org(app)
    clock.fixed = date(2027, 2, 1)
    resp = await client.post(f"/v1/venture/rounds/{rnd['round_id']}/applications", headers=org(uscc),
                             json=_application(uscc, "40000", "20000"))
    assert resp.status_code == 201 and resp.json()["labour_cap"] is None


async def test_reported_labour_spending_beyond_half_the_grant_is_refused(app, client, clock) -> None:
    rnd = await _round(client)
    uscc = await known_org(app)
    clock.fixed = date(2027, 2, 1)
    made = (await client.post(f"/v1/venture/rounds/{rnd['round_id']}/applications", headers=org(uscc),
                              json=_application(uscc, "30000", "30000"))).json()
    clock.fixed = date(2027, 4, 1)
    granted = await client.post(f"/v1/venture/applications/{made['application_id']}/grant", headers=staff(),
                                json={"grant_amount": "60000"})
    assert granted.status_code == 200 and granted.json()["labour_cap"] == "30000.00"
    clock.fixed = date(2027, 9, 1)
    url = f"/v1/venture/applications/{made['application_id']}/spending"
    first = await client.post(url, headers=org(uscc), json={"reported_on": "2027-08-31", "lines": [
        {"category": "labour", "description": "社工补贴1-6月", "amount": "25000"}]})
    assert first.status_code == 201 and first.json()["spent_labour"] == "25000.00"
    second = await client.post(url, headers=org(uscc), json={"reported_on": "2027-08-31", "lines": [
        {"category": "labour", "description": "社工补贴7-8月", "amount": "5000.01"}]})
    assert second.status_code == 400 and rules(second) == ["PROC-11"]
    assert (await client.get(f"/v1/venture/applications/{made['application_id']}")).json()["spent_total"] == "25000.00"


async def test_smaller_grant_needs_a_budget_within_the_cap_when_granting(app, client, clock) -> None:
    rnd = await _round(client)
    uscc = await known_org(app)
    clock.fixed = date(2027, 2, 1)
    made = (await client.post(f"/v1/venture/rounds/{rnd['round_id']}/applications", headers=org(uscc),
                              json=_application(uscc, "30000", "30000"))).json()
    resp = await client.post(f"/v1/venture/applications/{made['application_id']}/grant", headers=staff(),
                             json={"grant_amount": "50000"})
    assert resp.status_code == 400 and rules(resp) == ["PROC-11", "PROC-11"]
    restated = [{"category": "labour", "description": "社工补贴", "amount": "25000"},
                {"category": "activity", "description": "活动物资", "amount": "25000"}]
    resp = await client.post(f"/v1/venture/applications/{made['application_id']}/grant", headers=staff(),
                             json={"grant_amount": "50000", "budget": restated})
    assert resp.status_code == 200 and resp.json()["grant_amount"] == "50000.00"
    assert (await client.get(f"/v1/venture/rounds/{rnd['round_id']}")).json()["granted_total"] == "50000.00"
