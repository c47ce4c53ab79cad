from __future__ import annotations

from datetime import date

from procurement_fixtures.factories import catalogue, org, published_project, signed_contract, staff


async def test_daily_job_closes_tenders_and_flags_overdue_items_idempotently(app, client, clock) -> None:
    await catalogue(client)
    _, contract = await signed_contract(client, app, clock)
    pending = await published_project(client, clock, title="鹿城区助残服务项目")
    clock.fixed = date(2027, 7, 10)
    first = (await client.post("/v1/jobs/daily?wait=true&as_of=2027-07-10", headers=staff())).json()
    assert first["tenders_closed"] == [pending["project_id"]]
    assert len(first["follow_ups_overdue"]) == 1 and len(first["disclosures_overdue"]) == 1
    again = (await client.post("/v1/jobs/daily?wait=true&as_of=2027-07-10", headers=staff())).json()
    assert (again["tenders_closed"], again["follow_ups_overdue"], again["disclosures_overdue"]) == ([], [], [])
    earlier = (await client.post("/v1/jobs/daily?wait=true&as_of=2027-04-01", headers=staff())).json()
    assert earlier["follow_ups_cleared"] == first["follow_ups_overdue"]
    assert (await client.get(f"/v1/projects/{pending['project_id']}")).json()["status"] == "evaluation"
    overdue = (await client.get("/v1/follow-ups/overdue?as_of=2027-07-10", headers=staff())).json()
    assert [f["contract_id"] for f in overdue] == [contract["contract_id"]]


async def test_daily_job_is_refused_when_caller_is_an_organisation(client) -> None:
    resp = await client.post("/v1/jobs/daily?wait=true", headers=org("51330302MJ0000016B"))
    assert resp.status_code == 403


async def test_daily_job_refuses_future_as_of_and_leaves_open_tender_open(client, clock) -> None:
    """Issue 13: `as_of` is a day that has come; a job asked for a later day closed a tender still open today."""
    await catalogue(client)
    project = await published_project(client, clock, title="鹿城区敬老服务项目")  # tender_end 2026-12-10
    clock.fixed = date(2026, 12, 1)
    resp = await client.post("/v1/jobs/daily?as_of=2027-07-10", headers=staff())
    assert resp.status_code == 400 and resp.json()["code"] == "as_of_in_future"
    assert resp.json()["errors"][0]["field"] == "as_of"
    assert (await client.get(f"/v1/projects/{project['project_id']}")).json()["status"] == "tender"
    today = (await client.post("/v1/jobs/daily?wait=true", headers=staff())).json()
    assert today["as_of"] == "2026-12-01" and today["tenders_closed"] == []
    clock.fixed = date(2026, 12, 11)
    closed = (await client.post("/v1/jobs/daily?wait=true", headers=staff())).json()
    assert closed["tenders_closed"] == [project["project_id"]]
