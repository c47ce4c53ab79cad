"""Engine, metadata naming convention, per-request sessions, and the outbox/inbox tables every service owns."""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from collections.abc import AsyncIterator
from contextvars import ContextVar
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any, Protocol

import orjson
import structlog
from fastapi import Depends, Request
from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    Date,
    DateTime,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    delete,
    event,
    select,
    text,
    tuple_,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.types import TypeDecorator

from . import sqlite_driver

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

class UtcDateTime(TypeDecorator[datetime]):
    """A timezone-aware UTC timestamp on both backends (SQLite keeps no offset: it is put back on read)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is not None and value.tzinfo is None:
            raise ValueError("naive datetimes are not stored: use an aware UTC datetime")
        return value.astimezone(UTC) if value is not None else None

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is not None and value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value


# SQLite only autoincrements an INTEGER PRIMARY KEY.
BigIntPK = BigInteger().with_variant(Integer(), "sqlite")


FRAGMENT_TABLE = "profile_fragment"
JOB_TABLE = "job"
IDEMPOTENCY_TABLE = "idempotency_key"


def new_metadata(*, fragments: bool = False, jobs: bool = False, idempotency: bool = False) -> MetaData:
    """A service's metadata with the naming convention and its outbox/inbox tables; `fragments`: also the
    `profile_fragment` read model of the 一社一码 profile (yishe_kit.readmodel); `jobs`: the `job` table of
    long work run as jobs (yishe_kit.jobs); `idempotency`: the `idempotency_key` table of the kept answers to
    POSTs carrying an `Idempotency-Key` (yishe_kit.idempotency)."""
    md = MetaData(naming_convention=NAMING_CONVENTION)
    Table(
        "outbox",
        md,
        Column("seq", BigIntPK, primary_key=True, autoincrement=True),
        Column("event_id", String(36), nullable=False, unique=True),
        Column("subject", String(200), nullable=False),
        Column("payload", LargeBinary, nullable=False),
        Column("created_at", UtcDateTime(), nullable=False),
        Column("published_at", UtcDateTime(), nullable=True),
        Column("attempts", Integer, nullable=False, default=0),
        Column("last_error", Text, nullable=True),
        # The part of the service that wrote the row when its API and its consumers run apart (`ServiceSettings.runs`:
        # "api" or "consumers"; NULL in one process): each part's relay publishes its own rows (yishe_kit.relay).
        Column("origin", String(20), nullable=True),
        # The relay's unsent rows, and whose they are, from the index alone: on SQLite `origin` is stored after the
        # payload (up to 512 KB), and reading it from the row walks the payload's overflow pages (1,000 unsent bulk
        # events: 126 ms a round against 3.7 ms with this index). Also serves the purge (published_at < cutoff).
        Index("ix_outbox_unsent", "published_at", "origin"),
    )
    Table(
        "inbox",
        md,
        Column("consumer", String(200), primary_key=True),
        Column("event_id", String(36), primary_key=True),
        Column("subject", String(200), nullable=False),
        Column("received_at", UtcDateTime(), nullable=False, index=True),  # the purge after the streams' max age
    )
    if jobs:
        Table(
            JOB_TABLE,
            md,
            Column("job_id", String(36), primary_key=True),
            Column("kind", String(50), nullable=False),
            Column("key", String(200), nullable=True, index=True),  # one running job per key
            Column("state", String(20), nullable=False, index=True),
            Column("actor", String(200), nullable=False),
            Column("total", BigInteger, nullable=True),
            Column("done", BigInteger, nullable=False, default=0),
            Column("failed", BigInteger, nullable=False, default=0),
            Column("cancel_requested", Boolean, nullable=False, default=False),
            Column("created_at", UtcDateTime(), nullable=False),
            Column("started_at", UtcDateTime(), nullable=True),
            Column("finished_at", UtcDateTime(), nullable=True),
            Column("params", JSON, nullable=True),
            Column("result", JSON, nullable=True),
            Column("error", JSON, nullable=True),
            # One queued or running job per key, across every replica of the service (JOB-1).
            Index("uq_job_active_key", "key", unique=True, sqlite_where=text("state IN ('queued', 'running')"),
                  postgresql_where=text("state IN ('queued', 'running')")),
        )
    if idempotency:
        Table(
            IDEMPOTENCY_TABLE,
            md,
            # SHA-256 of role, actor, method, path and key: the key is the caller's own, per route.
            Column("scope_id", String(64), primary_key=True),
            Column("key", String(255), nullable=False),
            Column("caller", String(200), nullable=False),  # role:actor, for looking back
            Column("method", String(10), nullable=False),
            Column("path", String(500), nullable=False),
            Column("token", String(32), nullable=False),  # the claim holder: only it may write the answer
            Column("state", String(10), nullable=False),  # running | done
            Column("request_hash", String(64), nullable=True),  # SHA-256 of query, content type and body
            Column("status", Integer, nullable=True),
            Column("headers", JSON, nullable=True),  # the kept answer headers (content type, location)
            Column("body", LargeBinary, nullable=True),
            Column("created_at", UtcDateTime(), nullable=False),
            Column("expires_at", UtcDateTime(), nullable=False, index=True),
        )
    if fragments:
        Table(
            FRAGMENT_TABLE,
            md,
            Column("uscc", String(18), primary_key=True),  # "*" holds the service-wide epoch in `version`
            Column("version", BigInteger, nullable=False),  # bumped with every change to the organisation
            Column("epoch", BigInteger, nullable=True),  # the epoch `body` was built in
            Column("body", LargeBinary, nullable=True),  # the internal view's JSON; NULL = to be built
            Column("computed_on", Date, nullable=True),  # the service's local day `body` was built for
            Column("computed_at", UtcDateTime(), nullable=True),
        )
    return md


def json_text(value: Any) -> str:
    """A JSON column's text: UTF-8 with Chinese as itself (the standard library's default wrote `\\uXXXX`, six bytes
    a character against three), by orjson (several times faster where events store their payloads: the gateway's feed,
    credit's evidence). What orjson refuses (an integer past 64 bits) goes through the standard library."""
    try:
        return orjson.dumps(value, option=orjson.OPT_NON_STR_KEYS).decode()
    except TypeError:
        return json.dumps(value, ensure_ascii=False)


def json_value(text: str | bytes) -> Any:
    """A JSON column's value (orjson; the standard library for what orjson refuses, e.g. text an older version
    stored with NaN)."""
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError:
        return json.loads(text)


WAL_LIMIT_BYTES = 64 * 1024**2
"""An SQLite file's write-ahead log is brought back to nothing once it passes this (`WalGuard`)."""
WAL_COPY_BYTES = 4 * 1024**2
"""Past this the log's frames are copied into the file (`WalGuard`, in its thread): SQLite's own autocheckpoint point
(1,000 pages of 4 KiB), which it would otherwise run inside a commit."""
WAL_CHECK_SECONDS = 1.0
BUSY_TIMEOUT_MS = 30_000
WAL_CHECKPOINT_WAIT_MS = 200
"""How long the guard's TRUNCATE waits for the statements under way, new writers held meanwhile (then it tries again a
second later). It was 1 s: right after a 1,000,000-row import each try held the file's writers that long."""


class WalGuard:
    """Keeps an SQLite file's write-ahead log bounded while writes never pause, and no request waits for it.

    SQLite's own checkpoint after a commit is PASSIVE: it copies what no reader still needs, and the log restarts from
    its beginning only once every frame is copied and no statement is reading. With a consumer, a relay and readers
    overlapping without a break for minutes (a bulk import's propagation), that moment never comes: the log grew to
    500 MB in a service holding 113 MB of data at 100,000 organisations, and stayed that size on disk afterwards.

    A connection going back to the pool (at most once a second per file) looks at the log's size. Past the limit, a
    checkpoint runs in a thread of its own, on its own connection (one at a time per file): first PASSIVE, which
    copies every frame no reader still needs and never blocks anyone; then, once nothing is left to copy, TRUNCATE,
    which waits at most WAL_CHECKPOINT_WAIT_MS for the statements under way (new writers held meanwhile) and empties
    the file. Left uncopied (a reader still on an older snapshot) or busy: the next look tries again.
    `journal_size_limit` also trims the file whenever the log restarts by itself.

    It ran in the connection's check-in before, that is inside whichever request gave the connection back: at the end
    of a 1,000,000-row import one progress request waited 13.8 s while it copied the log, and while the import ran
    the progress requests' p99 was its 1 s wait (1,080 ms; bench/bulk_propagation.py 1000000).

    **No commit copies the log.** SQLite's own autocheckpoint runs inside the COMMIT that takes the log past 1,000
    pages, and in a service that COMMIT holds the process's write turn (`sqlite_driver`) until the copy ends: the
    1,000,000-row import's commit copied its 1.8 GB log for 11.7 s, its relay and consumers waiting behind it, and any
    small commit crossing the mark paid a few MB's copy. The guard's connections are opened with
    `wal_autocheckpoint=0`, and past `WAL_COPY_BYTES` (the same mark) the guard runs the PASSIVE copy in its thread."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.wal = Path(path + "-wal")
        self.next_look = 0.0
        self._running = threading.Lock()

    def __call__(self, dbapi_conn: Any, _record: Any) -> None:
        now = time.monotonic()
        if now < self.next_look:
            return
        self.next_look = now + WAL_CHECK_SECONDS
        try:
            size = self.wal.stat().st_size
        except OSError:
            return
        if size > min(WAL_COPY_BYTES, WAL_LIMIT_BYTES) and self._running.acquire(blocking=False):
            threading.Thread(target=self._checkpoint, args=(size > WAL_LIMIT_BYTES,), name="wal-checkpoint",
                             daemon=True).start()

    def _checkpoint(self, empty: bool = True) -> None:
        """PASSIVE; then, if `empty` (the log is past its limit) and every frame was copied, TRUNCATE."""
        try:
            conn = sqlite3.connect(self.path, timeout=WAL_CHECKPOINT_WAIT_MS / 1000, isolation_level=None)
            try:
                began = time.monotonic()
                _busy, log_frames, copied = conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
                passive = time.monotonic() - began
                truncate = 0.0
                if empty and log_frames >= 0 and copied == log_frames:  # busy: waits `timeout` at most
                    began = time.monotonic()
                    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
                    truncate = time.monotonic() - began
                if truncate >= 0.5:  # the file's writers waited this long
                    structlog.get_logger("yishe.db").warning(
                        "wal truncate held the writers", truncate_s=round(truncate, 3), passive_s=round(passive, 3),
                        frames=log_frames, file=self.path)
            finally:
                conn.close()
        except Exception as exc:  # the file closing, busy: the next look retries
            structlog.get_logger("yishe.db").debug("wal checkpoint skipped", error=repr(exc)[:200])
        finally:
            self._running.release()


def make_engine(url: str, *, echo: bool = False, pool_size: int = 10, max_overflow: int = 10) -> AsyncEngine:
    if url.startswith("sqlite"):
        path = url.split("///", 1)[-1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        # yishe_kit.sqlite_driver: reads inline within a budget, a write one hand-off to aiosqlite's thread
        # (SQLAlchemy's adapter: four a statement), and a process's writers taking turns in asyncio.
        driver = {"module": sqlite_driver.dbapi(BUSY_TIMEOUT_MS / 1000)} if url.startswith("sqlite+aiosqlite") else {}
        engine = create_async_engine(url, echo=echo, connect_args={"timeout": 30}, json_serializer=json_text,
                                     json_deserializer=json_value, **driver)
        guarded = bool(path) and path != ":memory:" and "mode=memory" not in url

        @event.listens_for(engine.sync_engine, "connect")
        def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
            cur.execute(f"PRAGMA journal_size_limit={WAL_LIMIT_BYTES}")
            if guarded:  # the guard copies the log in its own thread, never a commit (WalGuard)
                cur.execute("PRAGMA wal_autocheckpoint=0")
            cur.close()

        if guarded:
            event.listen(engine.sync_engine.pool, "checkin", WalGuard(path.split("?", 1)[0]))
        return engine
    return create_async_engine(url, echo=echo, pool_size=pool_size, max_overflow=max_overflow, pool_pre_ping=True,
                               json_serializer=json_text, json_deserializer=json_value)


def make_sessionmaker(engine: AsyncEngine, session_class: type[Session] | None = None,
                      ) -> async_sessionmaker[AsyncSession]:
    """`session_class`: the sync Session behind each AsyncSession (the read model's listens for changes)."""
    if session_class is None:
        return async_sessionmaker(engine, expire_on_commit=False)
    return async_sessionmaker(engine, expire_on_commit=False, sync_session_class=session_class)


class SessionTaker(Protocol):
    def adopt(self, session: AsyncSession) -> bool: ...


# Set by yishe_kit.idempotency for a request carrying an Idempotency-Key: the request's session is handed to it on
# success instead of committing here, so the kept answer commits in the same transaction as the state change.
handover_var: ContextVar[SessionTaker | None] = ContextVar("yishe_session_handover", default=None)


async def get_session(request: Request) -> AsyncIterator[AsyncSession]:
    """One session per request: commit on success, roll back on error. Services only flush."""
    sessionmaker: async_sessionmaker[AsyncSession] = request.app.state.sessionmaker
    session = sessionmaker()
    handed_over = False
    try:
        yield session
        taker = handover_var.get()
        if taker is not None and taker.adopt(session):
            handed_over = True  # it commits (or rolls back) and closes the session once the answer is written
            return
        await session.commit()
    except BaseException:
        await session.rollback()
        raise
    finally:
        if not handed_over:
            await session.close()


# scope="function": the session commits before the response is sent (FastAPI's default "request" scope would run
# the commit afterwards, so a client could read before the write is visible or get a 2xx for a failed commit).
SessionDep = Annotated[AsyncSession, Depends(get_session, scope="function")]


async def flush_or_conflict(session: AsyncSession, code: str, detail: str, problems: list | None = None) -> None:
    """Flush; a unique constraint refusing it (a concurrent duplicate) is a 409 with `code`, never a 500. Unique
    constraints are the last word on races; the request's transaction then rolls back."""
    from sqlalchemy.exc import IntegrityError

    from .errors import Conflict

    try:
        await session.flush()
    except IntegrityError as exc:
        raise Conflict(code, detail, problems) from exc


async def plan_by_current_size(session: AsyncSession) -> None:
    """PostgreSQL: every later statement of this transaction is planned for its own parameters and the tables' size
    now (`SET LOCAL plan_cache_mode = force_custom_plan`), not by a plan cached on the connection.

    A pooled connection keeps its prepared statements, and after five executions PostgreSQL may keep a statement's
    generic plan, made for the size the table had then. A bulk load grows a read model from empty to a million rows
    while nothing replans it (no ANALYZE has run: autovacuum lags a load, or is off, as on this machine): the
    generic plan of a batch's `uscc IN (1,000 keys)` stayed a sequential scan comparing every row with every key,
    2.8–3.0 s a batch at 100,000 bidders (procurement's consumer, bench/bulk_propagation.py --postgres). A custom
    plan sees the current size and the keys as constants (an index probe, or a hashed scan). Batches are where it
    pays: one planning for a statement over a thousand organisations. Request paths keep the generic plans."""
    if (await session.connection()).dialect.name == "postgresql":
        await session.execute(text("SET LOCAL plan_cache_mode = force_custom_plan"))


TRANSIENT_SQLSTATES = frozenset({"40P01", "40001"})  # deadlock_detected, serialization_failure


async def delete_in_batches(sessionmaker: async_sessionmaker[AsyncSession], table: Table,
                            where: ColumnElement[bool], batch: int = 5000) -> int:
    """Delete `table`'s rows matching `where`, `batch` rows per transaction (chosen by primary key, so PostgreSQL's
    DELETE without LIMIT works too, and no transaction holds a long lock); returns how many went. The housekeeping
    purges (published outbox rows, old inbox rows) use it."""
    keys = list(table.primary_key.columns)
    chosen = select(*keys).where(where).limit(batch)
    matches = keys[0].in_(chosen.scalar_subquery()) if len(keys) == 1 else tuple_(*keys).in_(chosen)
    deleted_all = 0
    while True:
        async with sessionmaker() as session:
            result = await session.execute(delete(table).where(matches))
            await session.commit()
        deleted = int(getattr(result, "rowcount", 0) or 0)  # a DELETE's CursorResult
        deleted_all += deleted
        if deleted < batch:
            return deleted_all


def is_transient(exc: BaseException) -> bool:
    """A failure PostgreSQL asks the client to cure by running the transaction again: a deadlock it broke by failing
    this side (40P01) or a serialization failure (40001). Anything else is not retried."""
    if not isinstance(exc, DBAPIError):
        return False
    orig = exc.orig
    return (getattr(orig, "sqlstate", None) or getattr(orig, "pgcode", None)) in TRANSIENT_SQLSTATES


# connection_exception (08…), admin_shutdown, crash_shutdown, cannot_connect_now (the server is starting)
UNAVAILABLE_SQLSTATES = frozenset({"57P01", "57P02", "57P03"})


def is_unavailable(exc: BaseException) -> bool:
    """The database could not be reached or went away mid-transaction (restarted, failed over, a network cut): not
    the work's fault. Callers wait for the database and do the same work again; it counts as no failed attempt."""
    if isinstance(exc, ConnectionError | TimeoutError):  # refused, reset, timed out while connecting
        return True
    if not isinstance(exc, DBAPIError):
        return False
    if exc.connection_invalidated:
        return True
    orig = exc.orig
    code = getattr(orig, "sqlstate", None) or getattr(orig, "pgcode", None) or ""
    if code.startswith("08") or code in UNAVAILABLE_SQLSTATES:
        return True
    cause = getattr(orig, "__cause__", None)
    return isinstance(cause, OSError) or type(cause).__name__ in {
        "ConnectionDoesNotExistError", "ConnectionFailureError", "CannotConnectNowError", "AdminShutdownError"}
