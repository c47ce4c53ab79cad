from __future__ import annotations

from datetime import date

from credit_factories import STAFF, daily, open_org, org_headers


async def test_daily_job_403_when_not_staff_or_internal(client, app) -> None:
    uscc = await open_org(app)
    assert (await client.post("/v1/jobs/daily?as_of=2026-06-01")).status_code == 403
    assert (await client.post("/v1/jobs/daily?as_of=2026-06-01", headers=org_headers(uscc))).status_code == 403


async def test_runs_recorded_and_rerun_changes_nothing_when_same_day(client, app) -> None:
    await open_org(app)
    first = await daily(client, date(2026, 6, 1), STAFF)
    second = await daily(client, date(2026, 6, 1), STAFF)
    assert second["changes"] == [] and second["run_id"] == first["run_id"] + 1
    runs = (await client.get("/v1/jobs/daily", headers=STAFF)).json()
    assert [r["as_of"] for r in runs[:2]] == ["2026-06-01", "2026-06-01"]


async def test_malformed_as_of_is_422_when_not_a_date(client) -> None:
    resp = await client.post("/v1/jobs/daily?as_of=2026-13-01", headers=STAFF)
    assert resp.status_code == 422 and resp.json()["errors"][0]["field"] == "as_of"
