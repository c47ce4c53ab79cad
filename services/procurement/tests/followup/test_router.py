from __future__ import annotations

from datetime import date

from procurement_fixtures.factories import catalogue, org, purchaser, rules, signed_contract, staff


async def _follow(client, cid: str, day: str, **extra):
    return await client.post(f"/v1/contracts/{cid}/follow-ups", headers=staff(), json={
        "followed_on": day, "followed_by": "五马街道社会组织服务中心", "findings": "按计划开展服务"} | extra)


async def test_overdue_follow_ups_are_listed_when_their_due_date_has_passed(app, client, clock) -> None:
    await catalogue(client)
    _, contract = await signed_contract(client, app, clock)
    cid = contract["contract_id"]
    clock.fixed = date(2027, 9, 10)
    await _follow(client, cid, "2027-04-20")
    overdue = (await client.get("/v1/follow-ups/overdue", headers=staff())).json()
    assert [(f["contract_id"], f["seq"], f["state"]) for f in overdue] == [(cid, 2, "overdue")]
    summary = (await client.get(f"/v1/contracts/{cid}/follow-ups")).json()
    assert (summary["done"], summary["overdue"], summary["meets_minimum"]) == (1, 1, False)


async def test_follow_up_in_the_future_is_refused_when_recorded(app, client, clock) -> None:
    await catalogue(client)
    _, contract = await signed_contract(client, app, clock)
    clock.fixed = date(2027, 3, 1)
    resp = await _follow(client, contract["contract_id"], "2027-03-02")
    assert resp.status_code == 400 and rules(resp) == ["PLAT-1"]


async def test_reported_subcontracting_shows_on_the_contract_when_a_follow_up_observes_it(app, client, clock) -> None:
    await catalogue(client)
    _, contract = await signed_contract(client, app, clock)
    clock.fixed = date(2027, 3, 1)
    resp = await _follow(client, contract["contract_id"], "2027-02-20", subcontracting_observed=True)
    assert resp.json()["subcontracting_reported"] is True


async def test_organisation_may_not_record_its_own_follow_up_when_it_is_the_undertaker(app, client, clock) -> None:
    await catalogue(client)
    _, contract = await signed_contract(client, app, clock)
    clock.fixed = date(2027, 3, 1)
    resp = await client.post(f"/v1/contracts/{contract['contract_id']}/follow-ups", headers=org(contract["uscc"]),
                             json={"followed_on": "2027-02-20", "followed_by": "自己", "findings": "一切正常"})
    assert resp.status_code == 403
    assert (await client.get("/v1/follow-ups/overdue", headers=purchaser())).status_code == 200
