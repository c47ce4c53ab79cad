from __future__ import annotations

import asyncio
from datetime import date

from credit_factories import STAFF, daily, open_org, org_headers

from yishe_credit.job import service as job_service


async def test_daily_job_403_when_not_staff_or_internal(client, app) -> None:
    uscc = await open_org(app)
    assert (await client.post("/v1/jobs/daily?wait=true&as_of=2026-06-01")).status_code == 403
    own = org_headers(uscc)
    assert (await client.post("/v1/jobs/daily?wait=true&as_of=2026-06-01", headers=own)).status_code == 403


async def test_runs_recorded_and_rerun_changes_nothing_when_same_day(client, app) -> None:
    await open_org(app)
    first = await daily(client, date(2026, 6, 1), STAFF)
    second = await daily(client, date(2026, 6, 1), STAFF)
    assert second["changes"] == [] and second["run_id"] == first["run_id"] + 1
    runs = (await client.get("/v1/jobs/daily", headers=STAFF)).json()
    assert [r["as_of"] for r in runs[:2]] == ["2026-06-01", "2026-06-01"]


async def test_malformed_as_of_is_422_when_not_a_date(client) -> None:
    resp = await client.post("/v1/jobs/daily?wait=true&as_of=2026-13-01", headers=STAFF)
    assert resp.status_code == 422 and resp.json()["errors"][0]["field"] == "as_of"


async def test_daily_job_is_a_job_and_a_second_start_while_it_runs_is_a_409_never_a_500(client, app) -> None:
    """#11 / JOB-1: the daily job answers 202 with the job at once; starting it again while it runs is a 409 naming
    the running job (it used to be a 500: a duplicate key in listing_entry); the job ends with the run's result."""
    await open_org(app)
    gate = asyncio.Event()
    started = asyncio.Event()
    original = job_service.run

    async def held(ctx, as_of):  # the real run, held open until the second request has been answered
        started.set()
        await gate.wait()
        return await original(ctx, as_of)

    job_service.run = held
    try:
        first = await client.post("/v1/jobs/daily?as_of=2026-06-01", headers=STAFF)
        assert first.status_code == 202 and first.headers["location"] == f"/v1/jobs/{first.json()['job_id']}"
        await started.wait()
        second = await client.post("/v1/jobs/daily?as_of=2026-06-01", headers=STAFF)
        assert second.status_code == 409 and second.json()["code"] == "job_running"
        assert first.json()["job_id"] in second.json()["errors"][0]["message_zh"]
        gate.set()
        job = await app.state.jobs.wait(first.json()["job_id"])
    finally:
        job_service.run = original
    assert job.state == "succeeded" and job.result["as_of"] == "2026-06-01" and "changes" in job.result
    follow = (await client.get(f"/v1/jobs/{job.job_id}", headers=STAFF)).json()
    assert follow["state_label"] == "已完成" and follow["params"] == {"as_of": "2026-06-01"}
