from __future__ import annotations

from registry_factories import STAFF


async def test_daily_job_needs_staff_or_internal(client) -> None:
    assert (await client.post("/v1/jobs/daily?wait=true&as_of=2026-06-01")).status_code == 403
    org = {"x-yishe-role": "org", "x-yishe-actor": "x"}
    assert (await client.post("/v1/jobs/daily?wait=true&as_of=2026-06-01", headers=org)).status_code == 403


async def test_daily_job_reports_nothing_when_nothing_is_due(client) -> None:
    resp = await client.post("/v1/jobs/daily?wait=true&as_of=2030-01-01", headers=STAFF)
    assert resp.status_code == 200
    body = resp.json()
    assert body["as_of"] == "2030-01-01"
    assert all(v["count"] == 0 for k, v in body.items() if k != "as_of")


async def test_daily_job_refuses_a_malformed_day(client) -> None:
    resp = await client.post("/v1/jobs/daily?wait=true&as_of=2026-13-01", headers=STAFF)
    assert resp.status_code == 422 and resp.json()["errors"][0]["field"] == "as_of"
