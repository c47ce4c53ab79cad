"""Profile fragments: each service's read model of its part of the 一社一码 profile (the gateway's cold lookup).

Per organisation a service keeps, in its own `profile_fragment` table (yishe_kit.db.new_metadata(fragments=True)),
the JSON bytes of its `internal` view, the service-local day they were built for, and two counters:

- `version`, bumped in the same transaction as every change that can alter that organisation's view: a session
  listener sees every flushed ORM object and takes the values of its `uscc` / `*_uscc` columns (old and new);
- the epoch (the row keyed "*" holds it in `version`), bumped by every write that cannot be pinned on
  organisations: bulk DML or raw SQL through the session or a bare connection, a change to a table without a USCC
  column, DDL, and a start whose view may differ from the last one's: another fingerprint of the view's code and
  settings (kept in the row keyed "#"). A restart of the same code with the same settings keeps every fragment.
  Rows written through `yishe_kit.bulk.insert_rows` void only the organisations named in their USCC columns.

Reading is one primary-key select; the bytes count only if built in the current epoch and for today. Otherwise the
service's own view code builds them (as `internal`, exactly what the normal route returns) and stores them only if
nothing changed since the build began: `UPDATE … WHERE version = <read first>`, or `INSERT … ON CONFLICT DO
NOTHING` when there was no row. A change committed during the build moved the version (nothing to update) or
created the row (the insert conflicts); one still in flight holds the row (PostgreSQL waits for it, then re-checks
the version; SQLite has a single writer) or is bumping the epoch, which every read compares.

Tables a view never reads are declared (`Fragments.ignore`): changes to them invalidate nothing. Any table not
declared and without a USCC column clears everything when it changes (safe when a view starts reading it).
On SQLite the read is inline on a read-only sqlite3 connection (WAL: readers never wait for the writer), since
aiosqlite's thread hand-off costs ~0.65 ms a statement (PERFORMANCE.md); on PostgreSQL it is one asyncpg query.
"""

from __future__ import annotations

import asyncio
import hashlib
import os
import re
import sqlite3
import time
from collections.abc import Awaitable, Callable, Iterable, Mapping
from contextvars import ContextVar, Token
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from functools import lru_cache
from itertools import chain
from pathlib import Path
from typing import Any, cast
from urllib.parse import quote

import structlog
from pydantic import BaseModel
from sqlalchemy import MetaData, Table, bindparam, event, inspect, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Connection, CursorResult
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from sqlalchemy.orm import Mapper, Session, attributes
from starlette.datastructures import State
from starlette.types import ASGIApp, Receive, Scope, Send

from yishe_contracts.identifiers import USCC_CHARSET

from .assertion import Refused, Verifier, header_value
from .db import FRAGMENT_TABLE, IDEMPOTENCY_TABLE, JOB_TABLE, is_unavailable
from .errors import Problem, ServiceError, service_error_response
from .metrics import Metrics
from .principal import SCOPE_KEY
from .sqlite_driver import writer_of
from .tasks import stop as stop_tasks

log = structlog.get_logger("yishe.readmodel")

EPOCH = "*"
LATER_MAX = 1024  # fragments built while the writer was busy, waiting to be stored (`ReadModel._later`)
ALWAYS_IGNORED = frozenset({FRAGMENT_TABLE, JOB_TABLE, IDEMPOTENCY_TABLE, "outbox", "inbox"})
# Dialect-neutral (SQLite ≥ 3.24, PostgreSQL): also runs on a raw DBAPI cursor inside a connection event.
BUMP_EPOCH_SQL = (f"INSERT INTO {FRAGMENT_TABLE} (uscc, version) VALUES ('{EPOCH}', 1) "
                  f"ON CONFLICT (uscc) DO UPDATE SET version = {FRAGMENT_TABLE}.version + 1")
FINGERPRINT = "#"  # the row whose `body` holds the fingerprint of the view the fragments were built by
_PLACEHOLDER = {"qmark": "?", "numeric_dollar": "$1", "format": "%s", "pyformat": "%s", "numeric": ":1"}


_VOIDED = f"ON CONFLICT (uscc) DO UPDATE SET version = {FRAGMENT_TABLE}.version + 1, body = NULL"


def _void_one_sql(paramstyle: str) -> str:
    mark = _PLACEHOLDER.get(paramstyle, "?")
    return f"INSERT INTO {FRAGMENT_TABLE} (uscc, version) VALUES ({mark}, 1) {_VOIDED}"
# PostgreSQL: a bulk statement's organisations voided by one statement (an executemany is a statement a row there).
_VOID_MANY_PG = (f"INSERT INTO {FRAGMENT_TABLE} (uscc, version) SELECT u, 1 FROM unnest(CAST($1 AS varchar[])) AS u "
                 f"{_VOIDED}")
# PostgreSQL: the reads waiting at one moment go together, in one round trip (PgReader).
_READ_MANY_PG = (f"SELECT f.uscc, f.body FROM {FRAGMENT_TABLE} AS f JOIN {FRAGMENT_TABLE} AS g ON g.uscc = '{EPOCH}' "
                 "WHERE f.uscc = ANY($1) AND f.epoch = g.version AND f.computed_on = $2 AND f.body IS NOT NULL")
_READ_SQLITE = (f"SELECT f.body FROM {FRAGMENT_TABLE} AS f JOIN {FRAGMENT_TABLE} AS g ON g.uscc = '{EPOCH}' "
                "WHERE f.uscc = ? AND f.epoch = g.version AND f.computed_on = ? AND f.body IS NOT NULL")

View = Callable[[State, AsyncSession, str], Awaitable[BaseModel]]


@dataclass(frozen=True)
class Fragments:
    """What a service declares for its read model.

    path     the read route's prefix; `GET <path><uscc>` from the gateway as `internal` is served from the model
    view     the service's own view code for one organisation as `internal` (raises ServiceError like the route)
    today    the service's local day (the view depends on it: a fragment is rebuilt on another day)
    ignore   tables the view never reads: changes to them invalidate nothing (remove one when the view reads it)
    related  uscc-less tables the view reads: table name → the USCCs a changed row belongs to
    """

    path: str
    view: View
    today: Callable[[State], date]
    ignore: frozenset[str] = frozenset()
    related: Mapping[str, Callable[[Any], Iterable[str]]] = field(default_factory=dict)

    def ignored(self) -> frozenset[str]:
        return self.ignore | ALWAYS_IGNORED

    def undeclared(self, metadata: MetaData) -> list[str]:
        """Tables without a USCC column that are neither ignored nor related: a change to one clears everything.
        A service keeps this empty (a test checks), so a new table is a decision, not a silent slowdown."""
        return sorted(t.name for t in metadata.tables.values()
                      if t.name not in self.ignored() and t.name not in self.related
                      and not any(is_uscc_column(c.name) for c in t.columns))


def is_uscc_column(name: str) -> bool:
    """A column naming an organisation: `uscc`, or `*_uscc`."""
    return name == "uscc" or name.endswith("_uscc")


def to_json(view: BaseModel) -> bytes:
    """The bytes FastAPI sends for a route with `response_model` (pydantic's JSON, by alias)."""
    return view.__pydantic_serializer__.to_json(view, by_alias=True)


# --- invalidation ---------------------------------------------------------------------------------------------

_FLUSHING: ContextVar[bool] = ContextVar("yishe_fragment_flush", default=False)
"""Set while a listening session flushes: its statements are accounted for object by object (after_flush)."""

_PINNED: ContextVar[tuple[str, list[str]] | None] = ContextVar("yishe_fragment_pinned", default=None)
"""Set around a bulk statement whose rows name their organisations: (table, USCCs) — those are voided, not all."""


def pinned_write(table: str, usccs: list[str]) -> Token[tuple[str, list[str]] | None]:
    """Mark the bulk statement about to run on `table` as changing only these organisations (a context token)."""
    return _PINNED.set((table.lower(), usccs))


def unpin(token: Token[tuple[str, list[str]] | None]) -> None:
    _PINNED.reset(token)


class _Invalidator:
    def __init__(self, fragments: Fragments, table: Table):
        self.fragments = fragments
        self.table = table
        self.ignored = fragments.ignored()
        self._mappers: dict[Mapper, tuple[str, tuple[str, ...], Callable | None]] = {}

    def _plan(self, mapper: Mapper) -> tuple[str, tuple[str, ...], Callable | None]:
        """("skip" | "keys" | "related" | "all", USCC attribute keys, related function) per mapped class."""
        plan = self._mappers.get(mapper)
        if plan is None:
            names = [t.name for t in mapper.tables]
            related = next((self.fragments.related[n] for n in names if n in self.fragments.related), None)
            keys = tuple(p.key for p in mapper.column_attrs if any(is_uscc_column(c.name) for c in p.columns))
            if all(n in self.ignored for n in names):
                plan = ("skip", (), None)
            elif related is not None:
                plan = ("related", (), related)
            else:
                plan = ("keys", keys, None) if keys else ("all", (), None)
            self._mappers[mapper] = plan
        return plan

    def usccs_of(self, obj: Any, new: bool) -> set[str] | None:
        """The organisations whose view a new, changed or deleted object can alter; None: cannot tell."""
        state = inspect(obj)
        kind, keys, related = self._plan(state.mapper)
        if kind == "skip":
            return set()
        if kind == "related":
            assert related is not None
            return {u for u in related(obj) if u}
        if kind == "all":
            return None
        found: set[str] = set()
        for key in keys:
            history = attributes.get_history(obj, key, passive=attributes.PASSIVE_NO_INITIALIZE)
            values = [v for v in chain(history.added or (), history.unchanged or (), history.deleted or ())
                      if v is not None]
            if not values and not new and key not in state.dict and key not in state.committed_state:
                return None  # not loaded (expired): unknown, so everything
            found.update(values)
        return found

    def after_flush(self, session: Session, _context: Any) -> None:
        usccs: set[str] = set()
        new = session.new
        for obj in chain(new, session.dirty, session.deleted):
            found = self.usccs_of(obj, obj in new)
            if found is None:
                bump_epoch(session.connection())
                return
            usccs |= found
        if usccs:
            invalidate(session.connection(), self.table, sorted(usccs))


def invalidate(conn: Connection, table: Table, usccs: list[str]) -> None:
    """These organisations' fragments are void, in the caller's transaction (sorted: a stable lock order)."""
    conn.execute(_void_statement(conn.dialect.name, table), [{"u": u} for u in usccs])


@lru_cache(maxsize=64)
def _void_statement(dialect: str, table: Table) -> Any:
    """`invalidate`'s upsert, built once per dialect and table (built inline it cost ~0.14 ms on every flush)."""
    stmt = (pg_insert(table) if dialect == "postgresql" else sqlite_insert(table)).values(uscc=bindparam("u"),
                                                                                          version=1)
    return stmt.on_conflict_do_update(index_elements=[table.c.uscc],
                                      set_={"version": table.c.version + 1, "body": None})


def bump_epoch(conn: Connection) -> None:
    """Every fragment of the service is void, in the caller's transaction."""
    conn.exec_driver_sql(BUMP_EPOCH_SQL)


def listening_session_class(fragments: Fragments, table: Table) -> type[Session]:
    """A Session class whose flushes invalidate the fragments of the organisations they change."""
    invalidator = _Invalidator(fragments, table)

    class FragmentSession(Session):
        def flush(self, objects: Any = None) -> None:
            token = _FLUSHING.set(True)
            try:
                super().flush(objects)
            finally:
                _FLUSHING.reset(token)

    event.listen(FragmentSession, "after_flush", invalidator.after_flush)
    return FragmentSession


_READ_VERB = re.compile(r"\s*(?:SELECT|PRAGMA|BEGIN|COMMIT|ROLLBACK|END|SAVEPOINT|RELEASE|SHOW|SET|EXPLAIN|VALUES)\b",
                        re.IGNORECASE)
_WRITE = re.compile(r'\s*(?:INSERT(?:\s+OR\s+\w+)?\s+INTO|REPLACE\s+INTO|UPDATE(?:\s+OR\s+\w+)?|DELETE\s+FROM)\s+'
                    r'(?:ONLY\s+)?(?:"?\w+"?\.)?"?(\w+)"?', re.IGNORECASE)
_DML_WORD = re.compile(r"\b(?:INSERT|UPDATE|DELETE|MERGE)\b", re.IGNORECASE)


@lru_cache(maxsize=2048)
def written_table(statement: str) -> str | None:
    """The table a statement writes ("" when it may change anything, e.g. DDL), None for reads."""
    if _READ_VERB.match(statement):
        return None
    m = _WRITE.match(statement)
    if m:
        return m.group(1).lower()
    if statement.lstrip()[:4].upper() == "WITH" and not _DML_WORD.search(statement):
        return None
    return ""


def listen_to_engine(engine: AsyncEngine, fragments: Fragments) -> None:
    """Writes the session listener cannot account for (bulk DML, `exec_driver_sql`, Core on a bare connection)
    void every fragment, in their own transaction, right after they ran."""
    ignored = fragments.ignored()

    def after_cursor_execute(conn: Connection, cursor: Any, statement: str, *_: Any) -> None:
        if _FLUSHING.get():
            return
        table = written_table(statement)
        if table is None or table in ignored:
            return
        pinned = _PINNED.get()
        raw = conn.connection.cursor()  # the same DBAPI connection, so the same transaction
        try:
            if pinned is not None and pinned[0] == table:
                if pinned[1] and conn.dialect.name == "postgresql":
                    raw.execute(_VOID_MANY_PG, (sorted(set(pinned[1])),))
                elif pinned[1]:
                    raw.executemany(_void_one_sql(conn.dialect.paramstyle), [(u,) for u in sorted(set(pinned[1]))])
            else:
                raw.execute(BUMP_EPOCH_SQL)
        finally:
            raw.close()

    event.listen(engine.sync_engine, "after_cursor_execute", after_cursor_execute)


# --- reading and building -------------------------------------------------------------------------------------

def sqlite_path(engine: AsyncEngine) -> str | None:
    url = engine.url
    if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:":
        return None
    return url.database


class ReadModel:
    """One service process's access to its fragments (app.state.read_model)."""

    def __init__(self, fragments: Fragments, table: Table, engine: AsyncEngine,
                 sessionmaker: async_sessionmaker[AsyncSession], state: State, *, writers_elsewhere: bool = False):
        """`writers_elsewhere`: another process writes the same database all the time (this service's consumers
        apart, `ServiceSettings.runs`): on SQLite every built fragment is then stored in the background, since
        that process's hold on the file's one writer cannot be seen from here."""
        self.writers_elsewhere = writers_elsewhere
        self.fragments = fragments
        self.table = table
        self.engine = engine
        self.sessionmaker = sessionmaker
        self.state = state
        self.reads = self.builds = self.stored = 0
        self._ro: sqlite3.Connection | None = None
        self._pg: PgReader | None = None  # on PostgreSQL
        self._writer: asyncio.Lock | None = None  # on SQLite: the file's one writer in this process (sqlite_driver)
        self._waiting: dict[str, tuple[int | None, int, date, bytes]] = {}  # built, to be stored (`_later`)
        self._storer: asyncio.Task[None] | None = None
        f, g = table.alias("f"), table.alias("g")
        self._read = (select(f.c.body).select_from(f.join(g, g.c.uscc == EPOCH))
                      .where(f.c.uscc == bindparam("u"), f.c.epoch == g.c.version,
                             f.c.computed_on == bindparam("day"), f.c.body.is_not(None)))
        self._versions = (select(g.c.version, f.c.version).select_from(g.outerjoin(f, f.c.uscc == bindparam("u")))
                          .where(g.c.uscc == EPOCH))

    async def start(self, *, reads: bool = True) -> None:
        """Void every fragment if the view may have changed since they were built (another fingerprint of its code
        and settings, or `YISHE_READMODEL_VOID_ON_START=1`), then open the inline reader. `reads=False`: a process
        that only writes (its consumers apart, `ServiceSettings.runs`) opens no reader (on PostgreSQL, no pool)."""
        fingerprint = self.fingerprint().encode()
        t = self.table
        async with self.engine.begin() as conn:
            held = (await conn.execute(select(t.c.body).where(t.c.uscc == FINGERPRINT))).scalar()
            if held != fingerprint or os.environ.get("YISHE_READMODEL_VOID_ON_START") == "1":
                await conn.run_sync(bump_epoch)
                upsert = pg_insert if conn.dialect.name == "postgresql" else sqlite_insert
                await conn.execute(upsert(t).values(uscc=FINGERPRINT, version=0, body=fingerprint)
                                   .on_conflict_do_update(index_elements=[t.c.uscc], set_={"body": fingerprint}))
                log.info("read model voided at start", reason="view changed" if held else "first start")
        path = sqlite_path(self.engine)
        if self._ro is not None or self._pg is not None or not reads:
            return  # started before (a restart of the reader keeps its connections), or nothing to read here
        if path is not None:
            # mode=ro: this connection can never write; autocommit: each select sees the latest commit.
            self._ro = sqlite3.connect(f"file:{quote(path)}?mode=ro", uri=True, isolation_level=None,
                                       check_same_thread=False, timeout=0)
            self._writer = writer_of(path)
        elif self.engine.url.get_backend_name() == "postgresql":
            # A small pool of plain asyncpg connections for the one-row read: no ORM, no pre-ping round trip, the
            # statement prepared once per connection (through SQLAlchemy's engine a read cost ~1 ms of CPU).
            import asyncpg

            dsn = self.engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
            db = getattr(getattr(self.state, "settings", None), "db", None)
            size = getattr(db, "read_pool_size", 4)
            # `reset`: nothing to undo (one SELECT, no session state); asyncpg's default runs a second round trip per
            # read on release (pg_advisory_unlock_all, CLOSE ALL, UNLISTEN *, RESET ALL).
            self._pg = PgReader(await asyncpg.create_pool(dsn, min_size=min(2, size), max_size=size,
                                                          reset=_no_reset), size)

    def fingerprint(self) -> str:
        """What the stored fragments depend on besides the data: the source of the view's own package, the kit's and
        the contracts', and the service's settings (`state.settings`) but those no view reads (its database and
        NATS URLs, ports, pools, keys: `ServiceSettings.VIEW_NEUTRAL`)."""
        digest = hashlib.sha256()
        for package in sorted({self.fragments.view.__module__.split(".")[0], "yishe_kit", "yishe_contracts"}):
            digest.update(_package_digest(package))
        settings = getattr(self.state, "settings", None)
        if settings is not None:  # a service's: without the settings no view reads (ServiceSettings.VIEW_NEUTRAL)
            dump = getattr(settings, "view_settings_json", None) or getattr(settings, "model_dump_json", None)
            digest.update((dump() if dump is not None else repr(settings)).encode())
        return digest.hexdigest()

    async def close(self) -> None:
        await stop_tasks(self._storer)
        self._waiting.clear()
        if self._ro is not None:
            self._ro.close()
            self._ro = None
        if self._pg is not None:
            reader, self._pg = self._pg, None
            await reader.close()

    async def get(self, uscc: str) -> bytes:
        """The organisation's internal view as JSON: stored, or built now (ServiceError as the route raises it)."""
        day = self.fragments.today(self.state)
        if self._ro is not None:
            body = self._read_inline(uscc, day)
        elif self._pg is not None:
            body = await self._pg.read(uscc, day)
        else:
            body = await self._read_async(uscc, day)
        if body is not None:
            self.reads += 1
            return body
        return await self.build(uscc)

    async def get_many(self, usccs: list[str]) -> list[bytes | ServiceError]:
        """`get` for several organisations at once (the gateway's gathered reads, `BATCH_PATH`): each one's JSON, or
        the read model's own error for it (not found, not yet built). On PostgreSQL the stored ones come in one
        query; any other error (the database down) raises for the whole batch."""
        day = self.fragments.today(self.state)
        bodies: list[bytes | None]
        if self._ro is not None:
            bodies = [self._read_inline(uscc, day) for uscc in usccs]
        elif self._pg is not None:
            bodies = list(await asyncio.gather(*[self._pg.read(uscc, day) for uscc in usccs]))
        else:
            bodies = [await self._read_async(uscc, day) for uscc in usccs]
        self.reads += sum(body is not None for body in bodies)
        # Those not stored are built side by side, as their single reads would have been (one slow build does not
        # queue the others behind it).
        built = iter(await asyncio.gather(*[self._build_or_error(u) for u, b in zip(usccs, bodies, strict=True)
                                            if b is None]))
        return [body if body is not None else next(built) for body in bodies]

    async def _build_or_error(self, uscc: str) -> bytes | ServiceError:
        """One code's build in a batch: its own error answers that code alone (a failing view for one organisation
        does not fail the others read with it); only the database being unreachable fails the batch (its 503)."""
        try:
            return await self.build(uscc)
        except ServiceError as exc:
            return exc
        except Exception as exc:
            if is_unavailable(exc):
                raise
            log.exception("fragment build failed", uscc=uscc)
            return ServiceError("fragment_unavailable", 503, f"the profile fragment of {uscc} could not be built",
                                detail_zh=f"{uscc} 的档案片段暂时无法生成")

    def _read_inline(self, uscc: str, day: date) -> bytes | None:
        assert self._ro is not None  # called only once the read-only connection is open
        try:
            row = self._ro.execute(_READ_SQLITE, (uscc, day.isoformat())).fetchone()
        except sqlite3.Error as exc:  # e.g. busy during WAL recovery: build instead (correct, only slower)
            log.warning("fragment read failed", uscc=uscc, error=repr(exc))
            return None
        return row[0] if row is not None else None

    async def _read_async(self, uscc: str, day: date) -> bytes | None:
        async with self.engine.connect() as conn:
            return (await conn.execute(self._read, {"u": uscc, "day": day})).scalar()

    async def build(self, uscc: str) -> bytes:
        """Run the view as `internal`; store the bytes unless a change raced the build.

        On SQLite the store waits for the file's one writer. While another transaction of this process holds it (a
        consumer's batch of a bulk import holds it for the whole batch, ~0.1–0.5 s on a busy machine), or whenever
        another process writes the file (`writers_elsewhere`), the bytes are answered at once and stored after it, in
        the background (`_later`): the reader does not queue behind a write it does not need. The store's own check
        is the same either way (the version read before the build)."""
        self.builds += 1
        day = self.fragments.today(self.state)
        async with self.sessionmaker() as session:
            epoch, version = (await session.execute(self._versions, {"u": uscc})).one()  # first: before any data
            body = to_json(await self.fragments.view(self.state, session, uscc))
            if self.fragments.today(self.state) != day:  # built across midnight: serve, but do not keep
                return body
            if self._writer is not None and (self.writers_elsewhere or self._writer.locked()):
                await session.rollback()  # the read's snapshot is not held while the store waits
                self._later(uscc, version, epoch, day, body)
                return body
            await self._store_now(session, {uscc: (version, epoch, day, body)})
        return body

    async def _store_now(self, session: AsyncSession,
                         built: dict[str, tuple[int | None, int, date, bytes]]) -> None:
        """Store built fragments (uscc → version read before the build, epoch, day, bytes) in one transaction, each
        only if nothing changed since its build; `stored` counts the rows written. A failure stores none of them
        (the next reads build again)."""
        try:
            stored = 0
            for uscc, (version, epoch, day, body) in built.items():
                result = cast(CursorResult, await session.execute(
                    self._store(session, uscc, version, epoch, day, body)))
                stored += result.rowcount == 1  # 0: a change came first (the version moved, or the row appeared)
            await session.commit()
            self.stored += stored
        except Exception as exc:
            log.warning("fragments not stored", fragments=len(built), error=repr(exc))
            await session.rollback()

    def _later(self, uscc: str, version: int | None, epoch: int, day: date, body: bytes) -> None:
        """Keep a built fragment to be stored by the one background storer (`_store_later`), at most `LATER_MAX`
        waiting (beyond them the bytes are not kept: the next read builds again)."""
        if len(self._waiting) >= LATER_MAX and uscc not in self._waiting:
            return
        self._waiting[uscc] = (version, epoch, day, body)
        if self._storer is None or self._storer.done():
            self._storer = asyncio.create_task(self._store_later(), name="fragment-storer")

    async def _store_later(self) -> None:
        """Store what `_later` kept, all that waits in one transaction (one connection, one turn of the writer)
        until nothing waits. Each store keeps its own check (the version read before its build)."""
        while self._waiting:
            batch, self._waiting = self._waiting, {}
            async with self.sessionmaker() as session:
                await self._store_now(session, batch)

    async def stored_later(self) -> None:
        """Wait until the fragments handed to the background are stored (tests; `close` drops what still waits)."""
        while self._storer is not None and not self._storer.done():
            await asyncio.shield(self._storer)

    def _store(self, session: AsyncSession, uscc: str, version: int | None, epoch: int, day: date,
               body: bytes) -> Any:
        values = {"epoch": epoch, "body": body, "computed_on": day, "computed_at": datetime.now(UTC)}
        t = self.table
        if version is None:
            upsert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
            return upsert(t).values(uscc=uscc, version=0, **values).on_conflict_do_nothing(index_elements=[t.c.uscc])
        return update(t).where(t.c.uscc == uscc, t.c.version == version).values(**values)

    async def clear(self) -> None:
        """Void every fragment (operators, tests)."""
        async with self.engine.begin() as conn:
            await conn.run_sync(bump_epoch)


class PgReader:
    """Fragment reads on PostgreSQL, batched: every read asked for while the pool's connections are all busy (or in
    the same turn of the event loop) goes in the next query, `uscc = ANY($1)`, so 50 concurrent lookups cost a few
    round trips instead of 50 (each ~0.2-0.3 ms of CPU here, mostly the socket calls; PERFORMANCE.md). At most
    `connections` queries are in flight; a read waits for at most one query before its own. The statement is
    prepared once per connection (asyncpg's statement cache)."""

    def __init__(self, pool: Any, connections: int) -> None:
        self.pool = pool
        self.limit = max(1, connections)
        self.inflight = 0
        self.queries = 0
        self._pending: dict[date, dict[str, list[asyncio.Future[bytes | None]]]] = {}
        self._scheduled = False
        self._tasks: set[asyncio.Task[None]] = set()

    def read(self, uscc: str, day: date) -> asyncio.Future[bytes | None]:
        loop = asyncio.get_running_loop()
        future: asyncio.Future[bytes | None] = loop.create_future()
        self._pending.setdefault(day, {}).setdefault(uscc, []).append(future)
        if not self._scheduled and self.inflight < self.limit:
            self._scheduled = True
            loop.call_soon(self._flush)
        return future

    def _flush(self) -> None:
        self._scheduled = False
        while self._pending and self.inflight < self.limit:
            day = next(iter(self._pending))
            wanted = self._pending.pop(day)
            self.inflight += 1
            task = asyncio.get_running_loop().create_task(self._query(day, wanted))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    async def _query(self, day: date, wanted: dict[str, list[asyncio.Future[bytes | None]]]) -> None:
        try:
            self.queries += 1
            rows = await self.pool.fetch(_READ_MANY_PG, list(wanted), day)
        except BaseException as exc:  # every waiter hears it (ReadModel.get raises as a single read would)
            for futures in wanted.values():
                for future in futures:
                    if not future.done():
                        future.set_exception(exc if isinstance(exc, Exception) else RuntimeError(repr(exc)))
            if not isinstance(exc, Exception):
                raise
        else:
            found = {row[0]: row[1] for row in rows}
            for uscc, futures in wanted.items():
                body = found.get(uscc)
                for future in futures:
                    if not future.done():
                        future.set_result(body)
        finally:
            self.inflight -= 1
            if self._pending and not self._scheduled:
                self._scheduled = True
                asyncio.get_running_loop().call_soon(self._flush)

    async def close(self) -> None:
        for task in list(self._tasks):
            task.cancel()
        await self.pool.close()


async def _no_reset(_connection: Any) -> None:
    """The read model's pool resets nothing on release (see ReadModel.start)."""


@lru_cache(maxsize=16)
def _package_digest(package: str) -> bytes:
    """sha256 over a package's Python sources (path and content, in path order)."""
    import importlib.util

    spec = importlib.util.find_spec(package)
    digest = hashlib.sha256()
    roots = list(spec.submodule_search_locations or []) if spec is not None else []
    for root in roots:
        for path in sorted(Path(root).rglob("*.py")):
            digest.update(str(path.relative_to(root)).encode())
            digest.update(path.read_bytes())
    return digest.digest()


# --- the fast lane ----------------------------------------------------------------------------------------------

JSON_HEADERS = [(b"content-type", b"application/json")]


def _is_gateway(principal: Any) -> bool:
    return principal is not None and principal.role == "internal" and principal.actor == "gateway"


class _FragmentPath:
    """`GET <path><uscc>` with no query: the one request both fragment lanes answer."""

    def __init__(self, path: str) -> None:
        self.prefix = path
        self.length = len(path) + 18
        self.route = path + "{uscc}"

    def matches(self, scope: Scope) -> bool:
        return (scope["type"] == "http" and scope["method"] == "GET" and not scope["query_string"]
                and len(scope["path"]) == self.length and scope["path"].startswith(self.prefix))

    async def answer(self, read_model: ReadModel, scope: Scope, receive: Receive, send: Send) -> int:
        """The fragment, or the read model's own error (not found, not yet built) as the route renders it, with the
        gateway's request id echoed; the status sent. Any other error propagates, nothing sent."""
        request_id = next((v for n, v in scope["headers"] if n == b"x-request-id"), None)
        extra = [(b"x-request-id", request_id)] if request_id else []
        try:
            body = await read_model.get(scope["path"][len(self.prefix):])
        except ServiceError as exc:
            response = service_error_response(exc)
            response.raw_headers.extend(extra)
            await response(scope, receive, send)
            return exc.status
        await send({"type": "http.response.start", "status": 200,
                    "headers": [*JSON_HEADERS, (b"content-length", str(len(body)).encode()), *extra]})
        await send({"type": "http.response.body", "body": body})
        return 200


BATCH_PATH = "/v1/profile-fragments"
"""`GET /v1/profile-fragments?uscc=A,B,…`: several organisations' fragments in one answer, for the gateway only (the
same callers and lanes as the single read). The gateway gathers the cold lookups that are waiting at the same moment
into one such read per service (yishe_gateway.profile.gather): one request, one wake-up and on PostgreSQL one query
for the lot instead of one each. The answer is a JSON object keyed by USCC, each value `[status, body]`: 200 and the
fragment, or the read model's error for that organisation as the single read would answer it (404 problem+json)."""
BATCH_MAX = 256
_USCC_CHARS = frozenset(USCC_CHARSET)


def batch_usccs(query: bytes) -> list[str]:
    """The codes of a batch read's query (`uscc=A,B,…`), each once, in order; ServiceError 400 naming the rule when
    one is not an 18-character code or there are more than BATCH_MAX."""
    text = query.decode("latin-1")
    usccs = list(dict.fromkeys(text[5:].split(","))) if text.startswith("uscc=") else []
    if not usccs or len(usccs) > BATCH_MAX or any(len(u) != 18 or not _USCC_CHARS.issuperset(u) for u in usccs):
        zh = f"须为 1 至 {BATCH_MAX} 个以逗号分隔的 18 位统一社会信用代码"
        en = f"1 to {BATCH_MAX} comma-separated 18-character USCCs"
        raise ServiceError("invalid_batch", 400, f"uscc must be {en} (GB 32100)", [Problem("uscc", "USCC-1", zh, en)],
                           detail_zh=f"uscc {zh}（GB 32100）")
    return usccs


class _FragmentBatch:
    """`GET BATCH_PATH?uscc=…`: the batch read both fragment lanes answer."""

    route = BATCH_PATH

    @staticmethod
    def matches(scope: Scope) -> bool:
        return bool(scope["type"] == "http" and scope["method"] == "GET" and scope["path"] == BATCH_PATH)

    @staticmethod
    async def answer(read_model: ReadModel, scope: Scope, receive: Receive, send: Send) -> int:
        """200 with every code's `[status, body]`, or 400 for a malformed query; the status sent. Any error but the
        read model's own propagates, nothing sent."""
        request_id = next((v for n, v in scope["headers"] if n == b"x-request-id"), None)
        extra = [(b"x-request-id", request_id)] if request_id else []
        try:
            usccs = batch_usccs(scope["query_string"])
        except ServiceError as exc:
            response = service_error_response(exc)
            response.raw_headers.extend(extra)
            await response(scope, receive, send)
            return exc.status
        parts = []
        for uscc, answer in zip(usccs, await read_model.get_many(usccs), strict=True):
            if isinstance(answer, ServiceError):
                status, answer = answer.status, bytes(service_error_response(answer).body)
            else:
                status = 200
            parts.append(b'"%s":[%d,%s]' % (uscc.encode(), status, answer))
        body = b"{" + b",".join(parts) + b"}"
        await send({"type": "http.response.start", "status": 200,
                    "headers": [*JSON_HEADERS, (b"content-length", str(len(body)).encode()), *extra]})
        await send({"type": "http.response.body", "body": body})
        return 200


class FragmentLane:
    """`GET <path><uscc>` from the gateway (its verified assertion says role `internal`, actor `gateway`; no query) is
    answered from the read model in plain ASGI, before FastAPI's routing, dependencies and middleware; every other
    request (another caller, another path, a query) goes on to FastAPI, whose route runs the same view code. The
    kit's AssertionGate sits outside this lane: the caller was verified once, before it got here. While traces are
    not recorded, `FrontFragmentLane` answers the same requests before the whole stack."""

    def __init__(self, app: ASGIApp, state: State, path: str) -> None:
        self.app = app
        self.state = state
        self.path = _FragmentPath(path)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        read_model: ReadModel | None = getattr(self.state, "read_model", None)
        path: _FragmentPath | type[_FragmentBatch] | None = (
            self.path if self.path.matches(scope) else _FragmentBatch if _FragmentBatch.matches(scope) else None)
        if path is not None and read_model is not None and _is_gateway(scope.get("state", {}).get(SCOPE_KEY)):
            # The metrics' route label; counted, not access-logged (the gateway logs the lookup it serves).
            scope["yishe.route"], scope["yishe.quiet"] = path.route, True
            await path.answer(read_model, scope, receive, send)
            return
        await self.app(scope, receive, send)


class FrontFragmentLane:
    """The gateway's fragment reads in front of the whole stack (yishe_kit.front): the layers above `FragmentLane`
    (FastAPI's, the telemetry's, the gate's and the limits') were ~1/3 of a read's cost (bench/gateway_profile.py,
    cold phase). For exactly the requests `FragmentLane` answers it does what those layers would have done for that
    answer: the assertion checked by the gate's own `Verifier` (a remembered token is a dict lookup), the request
    counted under the route's template (fragment reads are counted, never access-logged). A refused assertion, another
    caller, and any error but the read model's own answers go on to the full stack, which answers them as before
    (the gate's 401, the outage's 503)."""

    def __init__(self, state: State, path: str, verifier: Verifier, metrics: Metrics | None) -> None:
        self.state = state
        self.path = _FragmentPath(path)
        self.verifier = verifier
        self.observe = None if metrics is None else metrics.route_observer("GET", self.path.route)
        self.observe_batch = None if metrics is None else metrics.route_observer("GET", BATCH_PATH)

    async def serve(self, scope: Scope, receive: Receive, send: Send) -> bool:
        read_model: ReadModel | None = getattr(self.state, "read_model", None)
        if read_model is None:
            return False
        path: _FragmentPath | type[_FragmentBatch]
        if self.path.matches(scope):
            path, observe = self.path, self.observe
        elif _FragmentBatch.matches(scope):
            path, observe = _FragmentBatch, self.observe_batch
        else:
            return False
        try:
            if not _is_gateway(self.verifier.principal(header_value(scope["headers"]))):
                return False
        except Refused:
            return False
        start = time.perf_counter()
        try:
            status = await path.answer(read_model, scope, receive, send)
        except Exception:  # nothing sent: the full stack reads again and answers (a database outage: its 503)
            return False
        if observe is not None:
            observe(status, time.perf_counter() - start)
        return True
