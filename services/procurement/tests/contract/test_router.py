from __future__ import annotations

from datetime import date

from procurement_fixtures.factories import (
    SIGN_DAY,
    a_uscc,
    awarded_project,
    catalogue,
    contract_body,
    project_body,
    purchaser,
    rules,
    signed_contract,
)


async def _sign(client, clock, project_id: str, **overrides):
    clock.fixed = SIGN_DAY
    return await client.post(f"/v1/projects/{project_id}/contract", json=contract_body(**overrides),
                             headers=purchaser())


async def test_contract_without_the_proc_7_content_is_refused_naming_each_item(app, client, clock) -> None:
    await catalogue(client)
    project, _ = await awarded_project(client, app, clock)
    resp = await _sign(client, clock, project["project_id"], quality=None, liability="  ")
    assert resp.status_code == 400 and rules(resp) == ["PROC-7", "PROC-7"]
    assert [e["field"] for e in resp.json()["errors"]] == ["quality", "liability"]
    assert (await client.get("/v1/contracts?status=active")).json() == []


async def test_subcontracting_and_financing_guarantee_are_refused_with_proc_8_when_signing(app, client, clock) -> None:
    await catalogue(client)
    project, _ = await awarded_project(client, app, clock)
    resp = await _sign(client, clock, project["project_id"], subcontracting_allowed=True,
                       purchaser_guarantees_financing=True)
    assert resp.status_code == 400 and rules(resp) == ["PROC-8", "PROC-8"]


async def test_milestones_must_add_up_to_the_price_when_signing(app, client, clock) -> None:
    await catalogue(client)
    project, _ = await awarded_project(client, app, clock)
    resp = await _sign(client, clock, project["project_id"],
                       milestones=[{"title": "一次性", "due_date": "2027-06-30", "amount": "100000"}])
    assert resp.status_code == 400 and resp.json()["errors"][0]["field"] == "milestones"


async def test_contract_is_refused_when_the_project_is_not_awarded(client, clock) -> None:
    await catalogue(client)
    clock.fixed = date(2026, 11, 25)
    project = (await client.post("/v1/projects", json=project_body(), headers=purchaser())).json()
    assert (await _sign(client, clock, project["project_id"])).status_code == 409


async def test_payment_is_refused_before_the_milestone_is_met_or_to_another_payee(app, client, clock) -> None:
    await catalogue(client)
    _, contract = await signed_contract(client, app, clock)
    clock.fixed = date(2027, 2, 1)
    resp = await client.post(f"/v1/contracts/{contract['contract_id']}/payments", headers=purchaser(), json={
        "milestone_seq": 1, "amount": "114000", "paid_on": "2027-01-25", "payee_uscc": a_uscc()})
    assert resp.status_code == 400 and rules(resp) == ["PROC-8", "PROC-8"]


async def test_payment_beyond_the_milestone_is_refused_when_recorded(app, client, clock) -> None:
    await catalogue(client)
    _, contract = await signed_contract(client, app, clock)
    cid = contract["contract_id"]
    clock.fixed = date(2027, 2, 1)
    await client.post(f"/v1/contracts/{cid}/milestones/1/met", json={"date_met": "2027-01-20"}, headers=purchaser())
    resp = await client.post(f"/v1/contracts/{cid}/payments", headers=purchaser(), json={
        "milestone_seq": 1, "amount": "114000.01", "paid_on": "2027-01-25", "payee_uscc": contract["uscc"]})
    assert resp.status_code == 400 and rules(resp) == ["PROC-7"]


async def test_published_contract_is_public_with_its_obligations_when_signed(app, client, clock) -> None:
    await catalogue(client)
    project, contract = await signed_contract(client, app, clock)
    public = (await client.get(f"/v1/contracts/{contract['contract_id']}")).json()
    assert public["contract_number"] == "HT-330302-2027-0001" and public["price"] == "380000.00"
    assert public["subcontracting_allowed"] is False
    assert [f["due_date"] for f in public["follow_ups"]["items"]] == ["2027-05-02", "2027-09-01", "2027-12-31"]
    assert [d["kind"] for d in public["disclosures"]] == ["income_expenditure", "income_expenditure",
                                                        "audit_report"]
    assert (await client.get(f"/v1/projects/{project['project_id']}")).json()["status"] == "contracted"
