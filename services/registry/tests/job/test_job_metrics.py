"""OBS-1 (job progress): a long job running in the service (yishe_kit.jobs) appears on /metrics with its share done
and its kind, and drops out once finished; the daily job's runs are counted."""

from __future__ import annotations

import asyncio

from prometheus_client.parser import text_string_to_metric_families
from registry_factories import INTERNAL

from yishe_kit.testing import eventually


def samples(text: str, name: str) -> list:
    return [s for family in text_string_to_metric_families(text) for s in family.samples if s.name == name]


async def test_running_job_progress_is_on_metrics_until_it_finishes(client, app) -> None:
    """OBS-1: `yishe_job_progress_ratio{kind,job_id}` and `yishe_jobs_running{kind}` follow the kit's job runner."""
    release = asyncio.Event()
    halfway = asyncio.Event()

    async def work(progress):
        progress.advance(done=50)
        halfway.set()
        await release.wait()
        progress.advance(done=50)
        return {"ok": True}

    job = await app.state.jobs.start("test.metrics", work, actor="test", total=100)
    await halfway.wait()
    text = (await client.get("/metrics")).text
    [ratio] = [s for s in samples(text, "yishe_job_progress_ratio") if s.labels["job_id"] == job.job_id]
    assert ratio.labels["kind"] == "test.metrics" and ratio.value == 0.5
    assert {s.labels["kind"]: s.value for s in samples(text, "yishe_jobs_running")} == {"test.metrics": 1.0}
    release.set()
    await app.state.jobs.wait(job.job_id)

    async def gone() -> bool:
        text = (await client.get("/metrics")).text
        return not [s for s in samples(text, "yishe_job_progress_ratio") if s.labels["job_id"] == job.job_id]

    await eventually(gone)


async def test_daily_job_runs_are_counted_by_state_with_the_last_success(client) -> None:
    """OBS-1: the daily job (a kit job, kind `registry.daily`) is counted by state from the job table, shared by
    the replicas, with its last success time (alert when older than a day)."""
    resp = await client.post("/v1/jobs/daily?wait=true", headers=INTERNAL)
    assert resp.status_code == 200, resp.text
    text = (await client.get("/metrics")).text
    jobs = {(s.labels["kind"], s.labels["state"]): s.value for s in samples(text, "yishe_jobs")}
    assert jobs[("registry.daily", "succeeded")] == 1.0
    [last] = [s for s in samples(text, "yishe_job_last_success_timestamp_seconds")
              if s.labels["kind"] == "registry.daily"]
    assert last.value > 1.7e9
