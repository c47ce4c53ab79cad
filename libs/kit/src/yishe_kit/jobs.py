"""Long work as a job: a request starts it and answers 202 at once; the caller follows its progress and may cancel.

A job is a row in the service's own `job` table (`yishe_kit.db.new_metadata(jobs=True)`), written when it is
queued, started and finished; its progress while it runs (done / total, failed, rows/s, ETA) lives in the process
running it and is answered from there, since a long write may hold the database's one writer (SQLite) for its whole
transaction. At most one job per `key` runs at a time: starting a second is a 409 naming the running job
(`job_running`). A process that stops with jobs running marks them `interrupted` at its next start.

Replicas (PostgreSQL): the process running a job holds a session advisory lock named after the job for as long as it
runs (taken before the job's row is written), so a replica starting up interrupts only the jobs nobody holds — those
of a process that stopped or was killed (its connection closed, its locks went with it) — never a job another live
replica is running. On SQLite (one process) every job left active is interrupted.

Cancelling sets a flag the work checks between steps (`JobProgress.check()` raises `JobCancelled`); the work runs
its own transaction, so a cancelled or failed job leaves nothing half-written unless the work commits in steps and
says so in its result.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Annotated, Any

import structlog
from fastapi import APIRouter, Path, Query, Request
from pydantic import BaseModel, Field
from sqlalchemy import ColumnElement, Table, select, text, update
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession, async_sessionmaker

from .db import is_transient, is_unavailable
from .errors import Conflict, NotFound, Problem, ServiceError
from .principal import PrincipalDep

log = structlog.get_logger("yishe.jobs")

TRANSIENT_RETRIES = 3  # a daily run that loses a deadlock runs again up to this many times (`JobRunner.run`)
STATES = ("queued", "running", "succeeded", "failed", "cancelled", "interrupted")
FINISHED = frozenset({"succeeded", "failed", "cancelled", "interrupted"})
STATE_LABELS = {"queued": "排队中", "running": "运行中", "succeeded": "已完成", "failed": "失败",
                "cancelled": "已取消", "interrupted": "已中断（服务重启）"}


class JobCancelled(Exception):
    """Raised inside the work by `JobProgress.check()` once a cancel was asked for."""


class JobRead(BaseModel):
    job_id: str
    kind: str
    key: str | None = None
    state: str = Field(description="queued | running | succeeded | failed | cancelled | interrupted")
    state_label: str = Field(description="the state in Chinese")
    actor: str
    total: int | None = Field(None, description="units of work in all (rows, organisations), once known")
    done: int = 0
    failed: int = 0
    rate_per_s: float | None = Field(None, description="units done per second so far")
    eta_seconds: float | None = Field(None, description="seconds left at the rate so far, when the total is known")
    cancel_requested: bool = False
    created_at: datetime
    started_at: datetime | None = None
    finished_at: datetime | None = None
    params: dict[str, Any] | None = None
    result: dict[str, Any] | None = None
    error: dict[str, Any] | None = Field(None, description="why it failed: code, message_zh, message, problems")


@dataclass
class JobProgress:
    """What the work reports as it goes (the job's live state in this process)."""

    job_id: str
    total: int | None = None
    done: int = 0
    failed: int = 0
    started: float = field(default_factory=time.monotonic)
    cancel: asyncio.Event = field(default_factory=asyncio.Event)
    kind: str = ""  # the job's kind (metrics label)

    def advance(self, done: int = 0, failed: int = 0) -> None:
        self.done += done
        self.failed += failed

    def check(self) -> None:
        if self.cancel.is_set():
            raise JobCancelled

    def rate(self) -> float | None:
        elapsed = time.monotonic() - self.started
        return self.done / elapsed if elapsed > 0 and self.done else None

    def eta(self) -> float | None:
        rate = self.rate()
        if rate and self.total is not None:
            return max(self.total - self.done, 0) / rate
        return None


Work = Callable[[JobProgress], Awaitable[dict[str, Any] | None]]


def _error_of(exc: BaseException) -> dict[str, Any]:
    if isinstance(exc, ServiceError):
        return {"code": exc.code, "status": exc.status, "message": exc.detail,
                "message_zh": exc.problems[0].message_zh if exc.problems else exc.detail,
                "problems": [p.as_dict() for p in exc.problems]}
    if is_unavailable(exc):
        return {"code": "database_unavailable", "message": "the service's database went away while the job ran; "
                "what it had not committed was not written: start it again", "message_zh":
                "任务运行中服务的数据库暂时不可用，未提交的部分未写入，请重新发起"}
    return {"code": "job_failed", "message": repr(exc)[:500], "message_zh": "任务执行出错，请查看服务日志"}


class JobRunner:
    """One per service process (`app.state.jobs`)."""

    def __init__(self, sessionmaker: async_sessionmaker[AsyncSession], table: Table, *, share_seconds: float = 1.0):
        self.sessionmaker = sessionmaker
        self.table = table
        self.share_seconds = share_seconds  # PostgreSQL: how often a running job's progress and cancel are shared
        self.live: dict[str, JobProgress] = {}
        self._tasks: dict[str, asyncio.Task] = {}
        self._lock = asyncio.Lock()
        self._raised: dict[str, BaseException] = {}  # a failed job's exception, for a caller waiting on it
        self._held: dict[str, AsyncConnection] = {}  # PostgreSQL: the connection holding each running job's lock

    @property
    def _engine(self) -> AsyncEngine | None:
        """The engine on PostgreSQL (where running jobs are marked by advisory locks), else None."""
        bind = self.sessionmaker.kw.get("bind")
        return bind if isinstance(bind, AsyncEngine) and bind.dialect.name == "postgresql" else None

    async def recover(self) -> int:
        """At start: jobs left queued or running by a process that stopped are `interrupted` (on PostgreSQL only
        those whose advisory lock no live process holds: another replica's running job is left alone)."""
        t = self.table
        async with self.sessionmaker() as session, session.begin():
            active: ColumnElement[bool] = t.c.state.in_(("queued", "running"))
            if self._engine is not None:
                ids = (await session.execute(select(t.c.job_id).where(active))).scalars().all()
                orphans = [job_id for job_id in ids if (await session.execute(
                    text("SELECT pg_try_advisory_xact_lock(hashtextextended(:k, 0))"), {"k": _lock_key(job_id)}
                )).scalar()]
                if not orphans:
                    return 0
                active = active & t.c.job_id.in_(orphans)
            result = await session.execute(update(t).where(active).values(
                state="interrupted", finished_at=datetime.now(UTC),
                error={"code": "interrupted", "message": "the service stopped while the job ran",
                       "message_zh": "任务运行期间服务停止，任务已中断，可重新发起"}))
        return int(getattr(result, "rowcount", 0) or 0)  # an UPDATE's CursorResult

    async def _hold(self, job_id: str) -> None:
        """PostgreSQL: take the job's advisory lock on a connection of its own, kept until the job ends."""
        engine = self._engine
        if engine is None:
            return
        conn = await engine.connect()
        try:
            await conn.execute(text("SELECT pg_advisory_lock(hashtextextended(:k, 0))"), {"k": _lock_key(job_id)})
            await conn.commit()  # the session lock outlives the transaction; the connection is not left in one
        except BaseException:
            await conn.close()
            raise
        self._held[job_id] = conn

    async def _share(self, job_id: str, progress: JobProgress) -> None:
        """PostgreSQL, while the job runs: every `share_seconds` its progress goes to its row (so a replica other than
        the one running it answers it current) and a cancel asked at another replica (the row's flag) reaches it. On
        the connection holding its lock; SQLite (one process, one writer) keeps both in the process only."""
        t = self.table
        while (conn := self._held.get(job_id)) is not None:
            await asyncio.sleep(self.share_seconds)
            try:
                asked = (await conn.execute(update(t).where(t.c.job_id == job_id, t.c.state == "running").values(
                    done=progress.done, failed=progress.failed, total=progress.total).returning(
                    t.c.cancel_requested))).scalar()
                await conn.commit()
            except Exception as exc:  # the next round tries again; the job's own end writes its final state
                log.warning("job progress not shared", job_id=job_id, error=repr(exc))
                with contextlib.suppress(Exception):
                    await conn.rollback()
                continue
            if asked:
                progress.cancel.set()

    async def _release(self, job_id: str) -> None:
        conn = self._held.pop(job_id, None)
        if conn is not None:
            with contextlib.suppress(Exception):
                await conn.execute(text("SELECT pg_advisory_unlock(hashtextextended(:k, 0))"),
                                   {"k": _lock_key(job_id)})
                await conn.commit()
            with contextlib.suppress(Exception):
                await conn.close()

    async def start(self, kind: str, work: Work, *, actor: str, key: str | None = None,
                    params: dict[str, Any] | None = None, total: int | None = None,
                    on_finish: Callable[[], Awaitable[None]] | None = None) -> JobRead:
        """Queue `work` and run it in the background; a running job with the same key is a 409 naming it."""
        t = self.table
        async with self._lock:
            if key is not None:
                async with self.sessionmaker() as session:
                    running = (await session.execute(select(t.c.job_id, t.c.started_at).where(
                        t.c.key == key, t.c.state.in_(("queued", "running"))))).first()
                if running is not None:
                    raise Conflict("job_running", f"job {running.job_id} is already running for {key}", [Problem(
                        "job", "JOB-1", f"同一任务（{key}）正在运行：{running.job_id}，请等待其完成或先取消",
                        f"the same job ({key}) is running: {running.job_id}; wait for it or cancel it")])
            job_id = str(uuid.uuid4())
            now = datetime.now(UTC)
            await self._hold(job_id)  # before the row exists: a replica starting up never finds it unheld
            try:
                async with self.sessionmaker() as session, session.begin():
                    await session.execute(t.insert().values(
                        job_id=job_id, kind=kind, key=key, state="running", actor=actor, total=total, done=0,
                        failed=0, cancel_requested=False, created_at=now, started_at=now, params=params))
            except BaseException as exc:
                await self._release(job_id)
                if not isinstance(exc, IntegrityError):
                    raise
                # another replica started the same key between the check and here
                raise Conflict("job_running", f"a job is already running for {key}", [Problem(
                    "job", "JOB-1", f"同一任务（{key}）正在运行，请等待其完成或先取消",
                    f"the same job ({key}) is running; wait for it or cancel it")]) from exc
            progress = self.live[job_id] = JobProgress(job_id, total=total, kind=kind)
            self._tasks[job_id] = asyncio.create_task(self._run(job_id, work, progress, on_finish),
                                                      name=f"job-{kind}-{job_id}")
        return await self.get(job_id)

    async def _run(self, job_id: str, work: Work, progress: JobProgress,
                   on_finish: Callable[[], Awaitable[None]] | None) -> None:
        state, result, error = "succeeded", None, None
        sharing = asyncio.create_task(self._share(job_id, progress), name=f"job-share-{job_id}")
        try:
            result = await work(progress)
        except JobCancelled:
            state = "cancelled"
        except asyncio.CancelledError:
            state, error = "interrupted", {"code": "interrupted", "message": "the service stopped",
                                           "message_zh": "服务停止，任务已中断"}
        except Exception as exc:
            state, error = "failed", _error_of(exc)
            self._raised[job_id] = exc
            if not isinstance(exc, ServiceError):
                log.exception("job failed", job_id=job_id)
        finally:
            sharing.cancel()
            with contextlib.suppress(BaseException):
                await sharing
        try:
            while True:  # the job's end is recorded even if the database was away (else it would read "running")
                try:
                    async with self.sessionmaker() as session, session.begin():
                        await session.execute(update(self.table).where(self.table.c.job_id == job_id).values(
                            state=state, done=progress.done, failed=progress.failed, total=progress.total,
                            finished_at=datetime.now(UTC), result=result, error=error))
                    break
                except Exception as exc:
                    if not is_unavailable(exc):
                        raise
                    log.warning("job's end not recorded yet: database unavailable", job_id=job_id, state=state)
                    await asyncio.sleep(1.0)
        finally:
            await self._release(job_id)
            self.live.pop(job_id, None)
            if len(self._raised) > 100:  # nobody waited for these
                self._raised.clear()
            self._tasks.pop(job_id, None)
            if on_finish is not None:
                await on_finish()
        log.info("job finished", job_id=job_id, state=state, done=progress.done, failed=progress.failed)

    async def get(self, job_id: str) -> JobRead:
        t = self.table
        async with self.sessionmaker() as session:
            row = (await session.execute(select(t).where(t.c.job_id == job_id))).mappings().first()
        if row is None:
            raise NotFound("job_not_found", f"no job {job_id}")
        return self._read(dict(row))

    async def list(self, *, kind: str | None = None, limit: int = 20) -> list[JobRead]:
        t = self.table
        stmt = select(t).order_by(t.c.created_at.desc()).limit(limit)
        if kind is not None:
            stmt = stmt.where(t.c.kind == kind)
        async with self.sessionmaker() as session:
            rows = (await session.execute(stmt)).mappings().all()
        return [self._read(dict(r)) for r in rows]

    async def cancel(self, job_id: str) -> JobRead:
        """Ask a running job to stop at its next step; a finished job is answered as it is."""
        job = await self.get(job_id)
        progress = self.live.get(job_id)
        if job.state not in FINISHED:
            if progress is not None:
                progress.cancel.set()
            async with self.sessionmaker() as session, session.begin():
                await session.execute(update(self.table).where(self.table.c.job_id == job_id).values(
                    cancel_requested=True))
        return await self.get(job_id)

    async def wait(self, job_id: str, timeout: float = 60.0) -> JobRead:
        """Until the job has finished or `timeout` passed (then it is answered as it stands)."""
        task = self._tasks.get(job_id)
        if task is not None:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(asyncio.shield(task), timeout)
        return await self.get(job_id)

    async def run(self, request: Any, kind: str, work: Callable[[JobProgress], Awaitable[BaseModel]], *, actor: str,
                  key: str | None, wait: bool, params: dict[str, Any] | None = None,
                  wait_seconds: float = 300.0, transient_retries: int = 0) -> Any:
        """Start `work` as a job: 202 with the job at once, or with `wait`, the work's own answer (200) once it
        has finished within `wait_seconds` — a refusal raised by the work is raised again as it was (its 4xx).

        `transient_retries`: for work that is one transaction and idempotent (a daily run for its day), how many
        times to run it again when the database failed it as transient (`db.is_transient`: a deadlock PostgreSQL
        broke by failing this side, say against a consumer's batch locking the same rows in another order). Its
        transaction was rolled back; the progress starts again from zero."""

        async def as_dict(progress: JobProgress) -> dict[str, Any]:
            attempt = 0
            while True:
                try:
                    return (await work(progress)).model_dump(mode="json")
                except DBAPIError as exc:
                    if attempt >= transient_retries or not is_transient(exc):
                        raise
                    attempt += 1
                    log.warning("job lost to a transient database failure; running it again", job_id=progress.job_id,
                                kind=kind, attempt=attempt, error=str(exc.orig))
                    progress.done = progress.failed = 0

        job = await self.start(kind, as_dict, actor=actor, key=key, params=params)
        location = f"{request.scope.get('root_path', '')}/v1/jobs/{job.job_id}"
        if not wait:
            return accepted(job, location)
        job = await self.wait(job.job_id, wait_seconds)
        raised = self._raised.pop(job.job_id, None)
        if job.state == "succeeded":
            from fastapi.responses import JSONResponse

            return JSONResponse(job.result, headers={"x-job-id": job.job_id})
        if isinstance(raised, ServiceError):
            raise raised
        return accepted(job, location)

    async def close(self) -> None:
        for task in list(self._tasks.values()):
            task.cancel()
        for task in list(self._tasks.values()):
            with contextlib.suppress(BaseException):  # its own state was written by _run
                await task

    def _read(self, row: dict[str, Any]) -> JobRead:
        progress = self.live.get(row["job_id"])
        if progress is not None:
            row.update(total=progress.total, done=progress.done, failed=progress.failed,
                       cancel_requested=row["cancel_requested"] or progress.cancel.is_set())
            row["rate_per_s"], row["eta_seconds"] = progress.rate(), progress.eta()
        elif row.get("started_at") and row.get("finished_at") and row.get("done"):
            elapsed = (row["finished_at"] - row["started_at"]).total_seconds()
            row["rate_per_s"] = row["done"] / elapsed if elapsed > 0 else None
        row["state_label"] = STATE_LABELS.get(row["state"], row["state"])
        return JobRead.model_validate(row)


def _lock_key(job_id: str) -> str:
    return f"yishe.job:{job_id}"


def accepted(job: JobRead, location: str) -> Any:
    """The 202 answer for a started job: its state in the body, where to follow it in `Location`."""
    from fastapi.responses import JSONResponse

    return JSONResponse(job.model_dump(mode="json"), status_code=202, headers={"location": location})


JobId = Annotated[str, Path(min_length=36, max_length=36, pattern=r"^[0-9a-f-]{36}$")]


def jobs_router() -> Any:
    """`GET /jobs`, `GET /jobs/{job_id}`, `POST /jobs/{job_id}/cancel` for a service with a job table: staff and
    internal see every job, anyone else only the jobs they started."""
    from .access import require_role

    router = APIRouter(prefix="/jobs", tags=["job"])

    def runner(request: Request) -> JobRunner:
        jobs: JobRunner = request.app.state.jobs
        return jobs

    def visible(job: JobRead, principal: Any) -> JobRead:
        if principal.role not in ("staff", "internal") and job.actor != f"{principal.role}:{principal.actor}":
            raise NotFound("job_not_found", f"no job {job.job_id}")
        return job

    @router.get("", response_model=list[JobRead])
    async def list_jobs(request: Request, principal: PrincipalDep, kind: str | None = Query(None, max_length=50),
                        limit: int = Query(20, ge=1, le=200)) -> list[JobRead]:
        """Recent jobs, newest first (staff, internal)."""
        require_role(principal, "staff", "internal", action_zh="查看任务", action_en="list jobs")
        return await runner(request).list(kind=kind, limit=limit)

    @router.get("/{job_id}", response_model=JobRead, responses={404: {}})
    async def get_job(request: Request, principal: PrincipalDep, job_id: JobId) -> JobRead:
        """A job's state and progress: done / total, failed, rate, ETA; its result or error once finished."""
        return visible(await runner(request).get(job_id), principal)

    @router.post("/{job_id}/cancel", response_model=JobRead, responses={404: {}})
    async def cancel_job(request: Request, principal: PrincipalDep, job_id: JobId) -> JobRead:
        """Ask a running job to stop at its next step (it then rolls back what it had not committed)."""
        visible(await runner(request).get(job_id), principal)
        return await runner(request).cancel(job_id)

    return router
