"""Long work as a job (yishe_kit.jobs, #11): one run per key (JOB-1) also across replicas, progress, cancel, failure,
and jobs left running by a stopped process marked interrupted."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import insert

from yishe_kit.db import new_metadata
from yishe_kit.errors import Conflict, InvalidInput, Problem
from yishe_kit.jobs import JobRunner
from yishe_kit.testing import eventually
from yishe_kit.testing import test_backend as backend

from .conftest import metadata as kit_metadata

metadata = new_metadata(jobs=True)
JOB = metadata.tables["job"]


@pytest.fixture
async def runner(sessionmaker):
    async with sessionmaker() as session, session.begin():
        conn = await session.connection()
        await conn.run_sync(lambda c: JOB.create(c, checkfirst=True))
    r = JobRunner(sessionmaker, JOB)
    yield r
    await r.close()


async def test_a_second_run_of_the_same_key_while_one_runs_is_a_409_naming_it(runner: JobRunner) -> None:
    """JOB-1: starting the same job while it runs is refused with the running job's id, never a duplicate run."""
    release = asyncio.Event()

    async def slow(progress):
        await release.wait()
        return {"ok": True}

    first = await runner.start("daily", slow, actor="staff:a", key="daily")
    with pytest.raises(Conflict) as exc:
        await runner.start("daily", slow, actor="staff:b", key="daily")
    assert exc.value.code == "job_running" and first.job_id in exc.value.problems[0].message_zh
    other = await runner.start("import", slow, actor="staff:a", key="import:x")  # another key runs side by side
    release.set()
    assert (await runner.wait(first.job_id)).state == "succeeded"
    assert (await runner.wait(other.job_id)).result == {"ok": True}
    again = await runner.start("daily", slow, actor="staff:a", key="daily")  # finished: may run again
    assert (await runner.wait(again.job_id)).state == "succeeded"


async def test_the_database_refuses_a_second_active_job_of_a_key_from_another_replica(runner: JobRunner,
                                                                                        sessionmaker) -> None:
    """Two replicas checking at the same moment: the partial unique index lets one active job per key in, while
    finished jobs of the key are kept."""
    from sqlalchemy.exc import IntegrityError

    def row(n: int, state: str) -> dict:
        return {"job_id": f"00000000-0000-0000-0000-00000000000{n}", "kind": "daily", "key": "daily", "state": state,
                "actor": f"replica-{n}", "done": 0, "failed": 0, "cancel_requested": False, "created_at": runner_now()}

    async with sessionmaker() as session, session.begin():
        await session.execute(insert(JOB).values(**row(1, "succeeded")))
        await session.execute(insert(JOB).values(**row(2, "running")))
    with pytest.raises(IntegrityError):
        async with sessionmaker() as session, session.begin():
            await session.execute(insert(JOB).values(**row(3, "queued")))
    with pytest.raises(Conflict):
        await runner.start("daily", _noop, actor="staff:a", key="daily")


async def test_progress_cancel_and_a_refusal_inside_the_work(runner: JobRunner) -> None:
    step = asyncio.Event()

    async def counted(progress):
        progress.total = 10
        for _ in range(10):
            progress.advance(1)
            await step.wait()
            step.clear()
            progress.check()
        return {"done": progress.done}

    job = await runner.start("count", counted, actor="staff:a", key="count")
    step.set()
    await asyncio.sleep(0.05)
    live = await runner.get(job.job_id)
    assert live.state == "running" and live.total == 10 and 1 <= live.done <= 2 and live.eta_seconds is not None
    await runner.cancel(job.job_id)
    step.set()
    done = await runner.wait(job.job_id)
    assert done.state == "cancelled" and done.state_label == "已取消"

    async def refused(progress):
        raise InvalidInput("bad_year", "year out of range",
                           [Problem("year", "BOUNDS-1", "年份超出范围", "out of range")])

    failed = await runner.wait((await runner.start("bad", refused, actor="staff:a")).job_id)
    assert failed.state == "failed" and failed.error["problems"][0]["rule"] == "BOUNDS-1"


async def test_jobs_left_running_by_a_stopped_process_are_interrupted_at_the_next_start(runner: JobRunner,
                                                                                         sessionmaker) -> None:
    async with sessionmaker() as session, session.begin():
        await session.execute(insert(JOB).values(
            job_id="00000000-0000-0000-0000-000000000002", kind="daily", key="daily", state="running",
            actor="staff:a", done=3, failed=0, cancel_requested=False, created_at=runner_now()))
    assert await JobRunner(sessionmaker, JOB).recover() == 1
    job = await runner.get("00000000-0000-0000-0000-000000000002")
    assert job.state == "interrupted" and job.error["message_zh"].startswith("任务运行期间服务停止")
    assert (await runner.wait((await runner.start("daily", _noop, actor="a", key="daily")).job_id)).state \
        == "succeeded"


async def _noop(progress):
    return None


def runner_now():
    from datetime import UTC, datetime

    return datetime.now(UTC)


assert "job" not in kit_metadata.tables  # the kit's test schema has no jobs: these tests add the table themselves


@pytest.mark.skipif(backend() != "postgres", reason="row locks and deadlocks are PostgreSQL's (SQLite has one "
                                                         "writer); the PostgreSQL pass runs it")
async def test_a_daily_run_that_loses_a_real_deadlock_runs_again_and_succeeds(runner: JobRunner, sessionmaker) -> None:
    """An idempotent one-transaction job (a daily run) that PostgreSQL fails as a deadlock victim (40P01) — here
    against a transaction locking the same two rows in the other order, as a consumer's batch does in stream order —
    is run again (`transient_retries`) and succeeds; without it the job failed (issue 13's credit daily job)."""
    from types import SimpleNamespace

    from pydantic import BaseModel
    from sqlalchemy import text

    class Done(BaseModel):
        attempts: int

    async with sessionmaker() as session, session.begin():
        await session.execute(insert(kit_metadata.tables["thing"]), [{"thing_id": "a", "name": "a"},
                                                                     {"thing_id": "b", "name": "b"}])
    job_holds_a, other_holds_b = asyncio.Event(), asyncio.Event()
    attempts = 0

    async def daily(progress) -> Done:
        nonlocal attempts
        attempts += 1
        async with sessionmaker() as session, session.begin():
            await session.execute(text("SET LOCAL deadlock_timeout = '200ms'"))  # this side detects it: the victim
            await session.execute(text("UPDATE thing SET name = 'job' WHERE thing_id = 'a'"))
            progress.advance(1)
            job_holds_a.set()
            await other_holds_b.wait()
            await session.execute(text("UPDATE thing SET name = 'job' WHERE thing_id = 'b'"))
        return Done(attempts=attempts)

    async def other() -> None:  # a consumer's batch: b first, then a
        async with sessionmaker() as session, session.begin():
            await session.execute(text("SET LOCAL deadlock_timeout = '30s'"))
            await session.execute(text("UPDATE thing SET name = 'batch' WHERE thing_id = 'b'"))
            other_holds_b.set()
            await job_holds_a.wait()
            await session.execute(text("UPDATE thing SET name = 'batch' WHERE thing_id = 'a'"))

    request = SimpleNamespace(scope={"root_path": ""})
    batch = asyncio.create_task(other())
    answer = await runner.run(request, "daily", daily, actor="staff:a", key="daily", wait=True, transient_retries=3)
    await batch
    assert answer.status_code == 200 and attempts == 2
    job = (await runner.list(kind="daily"))[0]
    assert job.state == "succeeded" and job.result == {"attempts": 2} and job.done == 1
    async with sessionmaker() as session:  # the retried run's writes, after the batch's
        names = dict((await session.execute(text("SELECT thing_id, name FROM thing"))).all())
    assert names == {"a": "job", "b": "job"}

    # Without retries the same deadlock fails the job; a failure that is not transient is never run again.
    job_holds_a.clear(), other_holds_b.clear()
    attempts = 0
    batch = asyncio.create_task(other())
    failed = await runner.run(request, "daily", daily, actor="staff:a", key="daily", wait=True)
    await batch
    assert attempts == 1 and (await runner.get(failed.headers["location"].rsplit("/", 1)[1])).state == "failed"


@pytest.mark.skipif(backend() != "postgres", reason="replicas share PostgreSQL (SQLite is one process)")
async def test_a_replica_starting_up_leaves_another_replicas_running_job_alone(runner: JobRunner,
                                                                             sessionmaker) -> None:
    """Two replicas on one database: a replica (re)starting interrupts only jobs no live process holds. Another
    replica's running import stays running and finishes; a job whose process died (its lock gone) is interrupted."""
    release = asyncio.Event()

    async def slow(progress):
        await release.wait()
        return {"ok": True}

    running = await runner.start("import", slow, actor="staff:a", key="import:x")
    async with sessionmaker() as session, session.begin():  # left by a replica that was killed: nobody holds it
        await session.execute(insert(JOB).values(
            job_id="00000000-0000-0000-0000-000000000009", kind="daily", key="daily", state="running",
            actor="staff:a", done=3, failed=0, cancel_requested=False, created_at=runner_now()))
    other_replica = JobRunner(sessionmaker, JOB)
    assert await other_replica.recover() == 1
    assert (await runner.get(running.job_id)).state == "running"
    assert (await runner.get("00000000-0000-0000-0000-000000000009")).state == "interrupted"
    release.set()
    assert (await runner.wait(running.job_id)).state == "succeeded"
    assert await other_replica.recover() == 0  # finished jobs are never touched


@pytest.mark.skipif(backend() != "postgres", reason="replicas share PostgreSQL (SQLite is one process)")
async def test_another_replica_answers_a_running_jobs_progress_and_its_cancel_reaches_the_job(sessionmaker) -> None:
    """Behind a load balancer the job's GET and cancel may reach a replica that is not running it: that replica
    answers its progress from the row (shared by the running one) and its cancel stops the job."""
    async with sessionmaker() as session, session.begin():
        conn = await session.connection()
        await conn.run_sync(lambda c: JOB.create(c, checkfirst=True))
    running, other = JobRunner(sessionmaker, JOB, share_seconds=0.05), JobRunner(sessionmaker, JOB)
    stepped = asyncio.Event()

    async def long(progress):
        progress.total = 1_000_000
        while True:
            progress.check()
            progress.advance(1)
            if progress.done >= 3:
                stepped.set()
            await asyncio.sleep(0.01)

    try:
        job = await running.start("import", long, actor="staff:a", key="import:long")
        await stepped.wait()

        async def shared() -> bool:
            seen = await other.get(job.job_id)
            return seen.state == "running" and seen.done >= 3 and seen.total == 1_000_000

        await eventually(shared, timeout=10)
        await other.cancel(job.job_id)
        assert (await running.wait(job.job_id, timeout=10)).state == "cancelled"
    finally:
        await running.close()
