from __future__ import annotations

from datetime import date

from procurement_fixtures.factories import catalogue, purchaser, rules, signed_contract, staff

INDICATORS = [{"name": "服务数量", "weight": "50", "score": "80"}, {"name": "满意度", "weight": "50", "score": "70"}]


async def _evaluate(client, cid: str, **extra):
    return await client.post(f"/v1/contracts/{cid}/evaluations", headers=purchaser(), json={
        "kind": "final", "evaluator_type": "purchaser", "evaluator_name": "鹿城区民政局",
        "evaluated_on": "2027-12-31", "indicators": INDICATORS} | extra)


async def test_final_evaluation_is_refused_with_plat_1_when_fewer_than_three_follow_ups(app, client, clock) -> None:
    await catalogue(client)
    _, contract = await signed_contract(client, app, clock)
    clock.fixed = date(2028, 1, 5)
    await client.post(f"/v1/contracts/{contract['contract_id']}/follow-ups", headers=staff(),
                      json={"followed_on": "2027-04-01", "followed_by": "平台社工", "findings": "正常"})
    resp = await _evaluate(client, contract["contract_id"])
    assert resp.status_code == 400 and rules(resp) == ["PLAT-1"]


async def test_interim_evaluation_is_banded_and_emitted_when_recorded(app, client, clock) -> None:
    await catalogue(client)
    _, contract = await signed_contract(client, app, clock)
    clock.fixed = date(2027, 7, 1)
    resp = await _evaluate(client, contract["contract_id"], kind="interim", evaluated_on="2027-06-30")
    assert resp.status_code == 201 and (resp.json()["score"], resp.json()["result"]) == ("75.00", "合格")
    assert (await client.get(f"/v1/contracts/{contract['contract_id']}")).json()["status"] == "active"


async def test_weights_not_adding_to_100_and_the_undertaker_as_evaluator_are_refused(app, client, clock) -> None:
    await catalogue(client)
    _, contract = await signed_contract(client, app, clock)
    clock.fixed = date(2027, 7, 1)
    resp = await _evaluate(client, contract["contract_id"], kind="interim", evaluated_on="2027-06-30",
                           evaluator_type="third_party", evaluator_uscc=contract["uscc"],
                           indicators=[{"name": "服务数量", "weight": "60", "score": "80"}])
    assert resp.status_code == 400 and rules(resp) == ["PROC-8", "PROC-8"]
