from __future__ import annotations

from party_factories import PARTY, STAFF, add_talent, establish, open_record, problem_rules, registered


async def test_seconded_cadre_with_pay_refused_when_entered(client) -> None:
    response = await client.post("/v1/talents", headers=PARTY, json={
        "name": "王干部", "source": "retired_cadre", "division_code": "330302", "seconded_cadre": True,
        "annual_allowance": "1200.00"})
    assert response.status_code == 400 and problem_rules(response) == {"PARTY-10"}


async def test_unapproved_cadre_not_sent_when_assigned(client, app) -> None:
    event = registered(0)
    cadre = await add_talent(client, seconded_cadre=True)
    await open_record(app, event)  # the pool holds only an unapproved cadre: nobody is sent automatically
    assert (await client.get(f"/v1/records/{event.uscc}/work-covers", headers=PARTY)).json() == []
    response = await client.post(f"/v1/records/{event.uscc}/work-covers", headers=PARTY,
                                 json={"kind": "instructor", "talent_id": cadre["talent_id"]})
    assert response.status_code == 409 and problem_rules(response) == {"PARTY-10"}
    await client.patch(f"/v1/talents/{cadre['talent_id']}", headers=PARTY, json={"approval_ref": "温组通〔2026〕1号"})
    response = await client.post(f"/v1/records/{event.uscc}/work-covers", headers=PARTY,
                                 json={"kind": "instructor", "talent_id": cadre["talent_id"]})
    assert response.status_code == 201


async def test_instructor_refused_when_at_capacity(client, app) -> None:
    talent = await add_talent(client, max_organisations=1)
    first, second = registered(0), registered(0)
    await open_record(app, first)  # auto-assigned: the talent is now full
    await open_record(app, second)
    assert (await client.get(f"/v1/records/{second.uscc}/work-covers", headers=PARTY)).json() == []
    response = await client.post(f"/v1/records/{second.uscc}/work-covers", headers=PARTY,
                                 json={"kind": "instructor", "talent_id": talent["talent_id"]})
    assert response.status_code == 409 and problem_rules(response) == {"PARTY-3"}


async def test_lead_organisation_needs_own_party_org_when_designated(client, app) -> None:
    lead, led = registered(4), registered(0)
    await open_record(app, lead)
    await open_record(app, led)
    body = {"kind": "lead_organisation", "lead_uscc": lead.uscc}
    refused = await client.post(f"/v1/records/{led.uscc}/work-covers", headers=PARTY, json=body)
    assert refused.status_code == 400 and problem_rules(refused) == {"PARTY-3"}
    await establish(client, [lead.uscc])
    accepted = await client.post(f"/v1/records/{led.uscc}/work-covers", headers=PARTY, json=body)
    assert accepted.status_code == 201
    assert (await client.get(f"/v1/records/{led.uscc}")).json()["formation_task"]["status"] == "done"


async def test_talent_pool_hidden_when_role_is_not_party(client) -> None:
    await add_talent(client, id_number=None, phone="13700137000")
    assert (await client.get("/v1/talents", headers=STAFF)).status_code == 403
    [row] = (await client.get("/v1/talents", headers=PARTY)).json()
    assert row["phone"] == "137****7000"


async def test_daily_job_sends_instructor_when_pool_gets_one_later(client, app) -> None:
    event = registered(0)
    await open_record(app, event)
    talent = await add_talent(client)
    run = (await client.post("/v1/jobs/daily?wait=true&as_of=2026-11-23", headers=STAFF)).json()
    assert run["instructors_assigned"] == [{"uscc": event.uscc, "talent_id": talent["talent_id"]}]
    again = (await client.post("/v1/jobs/daily?wait=true&as_of=2026-11-23", headers=STAFF)).json()
    assert again["instructors_assigned"] == []
