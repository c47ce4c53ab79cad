from __future__ import annotations

from datetime import date

from procurement_fixtures.factories import a_uscc, catalogue, org, signed_contract, staff


async def test_undertaker_records_a_publication_and_it_leaves_the_overdue_list(app, client, clock) -> None:
    await catalogue(client)
    _, contract = await signed_contract(client, app, clock)
    cid = contract["contract_id"]
    clock.fixed = date(2027, 7, 10)
    [first] = [d for d in (await client.get("/v1/disclosures/overdue", headers=staff())).json()
               if d["contract_id"] == cid]
    assert first["label"] == "资金收支情况（第1期）" and first["state"] == "overdue"
    resp = await client.post(f"/v1/contracts/{cid}/disclosures/{first['obligation_id']}", headers=org(contract["uscc"]),
                             json={"published_on": "2027-07-08", "channel": "组织官网", "url": "https://example.org/x"})
    assert resp.status_code == 200 and resp.json()["state"] == "published"
    assert (await client.get("/v1/disclosures/overdue", headers=staff())).json() == []


async def test_only_the_undertaker_records_its_disclosures(app, client, clock) -> None:
    await catalogue(client)
    _, contract = await signed_contract(client, app, clock)
    obligation = (await client.get(f"/v1/contracts/{contract['contract_id']}/disclosures")).json()[0]
    clock.fixed = date(2027, 7, 10)
    resp = await client.post(f"/v1/contracts/{contract['contract_id']}/disclosures/{obligation['obligation_id']}",
                             headers=org(a_uscc()), json={"published_on": "2027-07-08", "channel": "官网"})
    assert resp.status_code == 403
