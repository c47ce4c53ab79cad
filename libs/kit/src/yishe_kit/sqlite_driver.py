"""SQLite under asyncio with as few thread hand-offs as it can (the embedded default's driver, `make_engine`).

SQLAlchemy's aiosqlite adapter runs a statement as four calls into aiosqlite's worker thread: make the cursor,
execute, fetch every row, close. Each call is a round trip between two threads (wake the worker, wake the event
loop, the GIL passed both ways), and on this platform's 2-core machines that round trip costs 40–70 µs of CPU,
the statement itself a few: measured, `SELECT 1` cost 169 µs of CPU through the adapter, 39 µs as one call, 1 µs
inline; a Core `SELECT` by primary key through SQLAlchemy 376 µs of CPU with the adapter, 78 µs here.
A registration's events cost the six processes ~110–150 ms of CPU (bench/registration_to_party.py), and py-spy put
~40 % of a consumer's busy samples on waking that thread. Runs alternated, stock adapter against this driver (reads
inline, writes in the thread): CPU per registration 129 and 148 ms against 115 and 101; p99 83 and 73 ms against 59
and 56; under the burst of 200, p99 404 and 533 ms against 197 and 110. With small writes inline as well, the same
bench alternated against writes in the thread: 123 and 80 ms against 98 and 123: within its noise (±25 % between
runs of the same code); the transaction below measures the difference.

**Small writes run inline too; the rest is one hand-off.** An INSERT, UPDATE or DELETE with at most
`SMALL_WRITE_PARAMETERS` parameters runs on the loop's thread once it is the connection's turn (below), with
SQLite's busy wait off for it: if another process holds the file's write lock, it goes to the thread and waits
there. A write that may touch many rows whatever its parameters stays in the thread (`_WIDE`: one reading a query or
a JSON array, an UPDATE or DELETE without a WHERE). One that took longer than the budget still finishes
(interrupting a write rolls its transaction back) and goes to the thread from then on. Anything else (many-row
inserts, executemany, DDL) is one call into aiosqlite's worker thread
(`_run`): the cursor's four steps in one round trip, in the same thread on the same connection. COMMIT stays in the
thread (it writes the transaction's pages to the log; copying the log into the file is `db.WalGuard`'s, in a thread
of its own); commit and rollback with no transaction open are not sent at all (the pool rolls back every connection
given back). A small write transaction (insert, update, select, commit), alone:
616–669 µs of CPU with every write in the thread, 490–494 µs with them inline. Server-side cursors (streamed reads)
keep aiosqlite's own.

**One writer at a time, waiting in asyncio.** SQLite has one writer per file. A process's connections writing at
once (a service's consumers, its relay, its read model storing a built fragment) met in SQLite's busy handler,
which sleeps 1, 2, 5, 10… ms between tries whenever the lock is taken, however soon it is free again: with the
statement timing above, the gateway's `BEGIN IMMEDIATE` waited over 2 ms 239 times in 100 registrations, and
consumers' fragment stores as often. So a connection takes its file's `write_lock` (an asyncio lock per file and event
loop, first come first served) before its transaction's first write, and gives it back once the transaction has
ended (commit, rollback, close): the next writer is woken at once. Reads never wait (WAL). Other processes (a command
line tool, a migration) still meet the busy handler. A writer waiting past the busy timeout gets "database is
locked", as from SQLite before.

**Reads run inline, within a budget.** A `SELECT` runs on the event loop's own thread, no hand-off at all (1 µs
against 39–70), while it stays within `INLINE_BUDGET_S` (2 ms): SQLite's progress handler looks at the clock every
`PROGRESS_STEPS` virtual-machine steps and, past the budget, interrupts the statement, which is then run again in the
thread, and that statement's text is run in the thread from then on (`_slow`, bounded). An interrupted SELECT
changes nothing (only an interrupted write rolls its transaction back, and writes always run in the thread), and
run again inside the same transaction it reads the same snapshot. A read never waits for a writer (WAL), so the loop
is held at most the budget (reads of a file another process is recovering aside). The connection is opened with
`check_same_thread=False` for this; it is never used by both threads at once (`_execute_mutex`, and SQLAlchemy awaits
each call before the next).
"""

from __future__ import annotations

import asyncio
import collections
import os
import re
import sqlite3
import time
import weakref
from collections.abc import Callable, Sequence
from typing import Any

import aiosqlite
from sqlalchemy.dialects.sqlite.aiosqlite import AsyncAdapt_aiosqlite_connection, AsyncAdapt_aiosqlite_dbapi
from sqlalchemy.util.concurrency import await_

Result = tuple[Any, int, Any, list | None, bool]

_READS = re.compile(
    r"\s*(?:SELECT|PRAGMA|EXPLAIN|SAVEPOINT|RELEASE|ROLLBACK|COMMIT|END|BEGIN(?!\s+(?:IMMEDIATE|EXCLUSIVE)))\b",
    re.IGNORECASE)


def writes(operation: str) -> bool:
    """Whether a statement may take SQLite's write lock: anything but a plain read or transaction control (`WITH …`
    counts as a write: it may end in an INSERT)."""
    return _READS.match(operation) is None


_turns: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, dict[str, asyncio.Lock]] = weakref.WeakKeyDictionary()


def write_lock(database: str) -> asyncio.Lock:
    """The one writer's turn on an SQLite file in this process (per event loop: asyncio locks belong to one)."""
    return _turns.setdefault(asyncio.get_running_loop(), {}).setdefault(database, asyncio.Lock())


def writer_of(path: str) -> asyncio.Lock:
    """`write_lock` of the file at `path` under the name its connections use (see `_database`)."""
    return write_lock(_database((path,), {}))


INLINE_BUDGET_S = 0.002
PROGRESS_STEPS = 1000  # ~10–50 µs of work between looks at the clock
_SELECT = re.compile(r"\s*SELECT\b", re.IGNORECASE)
_SMALL_WRITE = re.compile(r"\s*(?:INSERT|UPDATE|DELETE|REPLACE|BEGIN\s+IMMEDIATE)\b", re.IGNORECASE)
SMALL_WRITE_PARAMETERS = 32  # more: SQLAlchemy's many-rows INSERT … VALUES (…), (…) (insertmanyvalues), in the thread
# A write that may touch many rows, whatever its parameters: one reading a query or a JSON array (INSERT … SELECT,
# DELETE … WHERE rowid IN (SELECT … LIMIT 5000), json_each(?)), or an UPDATE or DELETE without a WHERE.
_WIDE = re.compile(r"\bSELECT\b|\bjson_each\b|^\s*(?:UPDATE|DELETE)\b(?!.*\bWHERE\b)", re.IGNORECASE | re.DOTALL)
_slow: dict[str, None] = {}  # statements that overran the budget once: run in the thread (insertion-ordered)
SLOW_KEPT = 2048


async def _yielded() -> None:
    return None


def _remember_slow(operation: str) -> None:
    if len(_slow) >= SLOW_KEPT:
        del _slow[next(iter(_slow))]
    _slow[operation] = None


class _Budget:
    """The progress handler of a read running inline: interrupts it past its deadline."""

    __slots__ = ("deadline", "tripped")

    def __init__(self) -> None:
        self.deadline = 0.0
        self.tripped = False

    def __call__(self) -> int:
        if time.perf_counter() > self.deadline:
            self.tripped = True
            return 1
        return 0


def _database(arg: tuple, kw: dict) -> str:
    database = str(kw.get("database", arg[0] if arg else ""))
    return database if database.startswith("file:") or database in ("", ":memory:") else os.path.realpath(database)


def _run(conn: sqlite3.Connection, operation: str, parameters: Any, many: bool) -> Result:
    """In aiosqlite's thread: one statement, start to end (its description, rowcount, lastrowid and rows, and whether
    a transaction is open after it)."""
    cur = conn.cursor()
    try:
        if many:
            cur.executemany(operation, parameters)
        elif parameters is None:
            cur.execute(operation)
        else:
            cur.execute(operation, parameters)
        description = cur.description
        rows = cur.fetchall() if description else None
        return description, cur.rowcount, cur.lastrowid, rows, conn.in_transaction
    finally:
        cur.close()


class OneHopCursor:
    """The DBAPI cursor SQLAlchemy drives (buffered: a statement's rows are all fetched with it, as the aiosqlite
    adapter's non-server-side cursor does)."""

    server_side = False
    __slots__ = ("_adapt_connection", "_connection", "_rows", "arraysize", "description", "lastrowid", "rowcount")

    def __init__(self, adapt_connection: OneHopConnection):
        self._adapt_connection = adapt_connection
        self._connection: Any = adapt_connection._connection  # aiosqlite.Connection
        self._rows: collections.deque = collections.deque()
        self.description: Any = None
        self.rowcount = -1
        self.lastrowid: Any = None
        self.arraysize = 1

    def execute(self, operation: Any, parameters: Any = None) -> None:
        self._call(operation, parameters, False)

    def executemany(self, operation: Any, seq_of_parameters: Any) -> None:
        self._call(operation, seq_of_parameters, True)

    def _call(self, operation: Any, parameters: Any, many: bool) -> None:
        if not many and operation not in _slow:
            if _SELECT.match(operation):
                if self._inline(operation, parameters):
                    await_(_yielded())  # SQLAlchemy's async API insists that each call it makes awaits once (~2 µs)
                    return
            elif (_SMALL_WRITE.match(operation) and (parameters is None or len(parameters) <= SMALL_WRITE_PARAMETERS)
                  and not _WIDE.search(operation) and self._inline_write(operation, parameters)):
                return
        try:
            self.description, self.rowcount, self.lastrowid, rows, _ = await_(
                self._run_async(operation, parameters, many))
        except Exception as error:
            self._adapt_connection._handle_exception(error)
        self._rows = collections.deque(rows) if rows else collections.deque()

    def _free(self) -> sqlite3.Connection | None:
        """The sqlite3 connection, unless it is closed or running a statement in its thread."""
        return None if self._adapt_connection._execute_mutex.locked() else self._connection._connection

    def _inline(self, operation: str, parameters: Any) -> bool:
        """Run a read on this thread; False when it overran the budget (or the connection is busy in its thread)."""
        conn = self._adapt_connection
        raw = self._free()
        if raw is None:
            return False
        budget = conn._budget
        budget.tripped = False
        budget.deadline = time.perf_counter() + INLINE_BUDGET_S
        raw.set_progress_handler(budget, PROGRESS_STEPS)  # only while inline: in the thread it would take the GIL
        try:
            self.description, self.rowcount, self.lastrowid, rows, _ = _run(raw, operation, parameters, False)
        except sqlite3.OperationalError as error:
            if not budget.tripped:
                conn._handle_exception(error)
            _remember_slow(operation)
            return False
        except Exception as error:
            conn._handle_exception(error)
        finally:
            raw.set_progress_handler(None, 0)
        self._rows = collections.deque(rows) if rows else collections.deque()
        return True

    def _inline_write(self, operation: str, parameters: Any) -> bool:
        """Run a small write on this thread, once it is this connection's turn, with no busy wait (another process
        holding the file's write lock: False, and it runs in the thread, waiting there). Past the budget it still
        finishes (a write interrupted would roll its transaction back), and that statement goes to the thread from
        then on."""
        conn = self._adapt_connection
        raw = self._free()
        if raw is None:
            return False
        await_(conn._take_turn())
        started = time.perf_counter()
        raw.execute("PRAGMA busy_timeout = 0")
        in_transaction = True
        try:
            self.description, self.rowcount, self.lastrowid, rows, in_transaction = _run(raw, operation, parameters,
                                                                                         False)
        except sqlite3.OperationalError as error:
            if error.sqlite_errorcode & 0xFF != sqlite3.SQLITE_BUSY:
                conn._handle_exception(error)
            return False
        except Exception as error:
            conn._handle_exception(error)
        finally:
            raw.execute(conn._busy_pragma)
            if not in_transaction:
                conn._end_turn()
            if time.perf_counter() - started > INLINE_BUDGET_S:
                _remember_slow(operation)
        self._rows = collections.deque(rows) if rows else collections.deque()
        return True

    async def _run_async(self, operation: Any, parameters: Any, many: bool) -> Result:
        conn = self._adapt_connection
        async with conn._execute_mutex:
            if writes(operation):
                await conn._take_turn()
            in_transaction = True
            try:
                result: Result = await self._connection._execute(_run, self._connection._conn, operation, parameters,
                                                                 many)
                in_transaction = result[4]
                return result
            finally:
                if not in_transaction:  # ended by this statement (a failed one keeps the turn until the rollback)
                    conn._end_turn()

    async def _async_soft_close(self) -> None:
        """Nothing is open in the thread: the statement's cursor closed with it."""

    def close(self) -> None:
        self._rows.clear()

    def setinputsizes(self, *inputsizes: Any) -> None:
        pass

    def fetchone(self) -> Any:
        return self._rows.popleft() if self._rows else None

    def fetchmany(self, size: int | None = None) -> Sequence[Any]:
        n = self.arraysize if size is None else size
        return [self._rows.popleft() for _ in range(min(n, len(self._rows)))]

    def fetchall(self) -> Sequence[Any]:
        rows = list(self._rows)
        self._rows.clear()
        return rows


class OneHopConnection(AsyncAdapt_aiosqlite_connection):
    __slots__ = ("_budget", "_busy_pragma", "_busy_seconds", "_holding", "_lock")
    _cursor_cls = OneHopCursor  # type: ignore[assignment]

    def __init__(self, dbapi: Any, connection: Any, database: str, busy_seconds: float):
        super().__init__(dbapi, connection)
        self._budget = _Budget()
        self._lock = write_lock(database)
        self._holding = False
        self._busy_seconds = busy_seconds
        self._busy_pragma = f"PRAGMA busy_timeout = {round(busy_seconds * 1000)}"

    async def _take_turn(self) -> None:
        """This connection's turn to write on its file (already its own: nothing to wait for)."""
        if self._holding:
            return
        try:
            async with asyncio.timeout(self._busy_seconds):
                await self._lock.acquire()
        except TimeoutError:
            raise sqlite3.OperationalError("database is locked (another transaction of this process kept the write "
                                           f"lock past {self._busy_seconds:g} s)") from None
        self._holding = True

    def _end_turn(self) -> None:
        if self._holding:
            self._holding = False
            self._lock.release()

    def commit(self) -> None:
        self._end_transaction(super().commit)

    def rollback(self) -> None:
        self._end_transaction(super().rollback)

    def _end_transaction(self, end: Callable[[], None]) -> None:
        """Commit or roll back in the thread, then give the turn back unless the transaction is still open (a failed
        commit). With no transaction open nothing is sent: the pool rolls back every connection given back, most
        with nothing to roll back."""
        conn = self._connection._connection  # the sqlite3 connection; None once closed
        if conn is not None and (conn.in_transaction or self._execute_mutex.locked()):
            try:
                end()
            finally:
                if not conn.in_transaction:
                    self._end_turn()
        else:
            self._end_turn()

    def close(self) -> None:
        try:
            super().close()
        finally:
            self._end_turn()

    def terminate(self) -> None:
        try:
            super().terminate()
        finally:
            self._end_turn()


class OneHopDBAPI(AsyncAdapt_aiosqlite_dbapi):
    """aiosqlite's DBAPI as SQLAlchemy adapts it, its connections' cursors replaced (`create_async_engine(url,
    module=dbapi())` with a `sqlite+aiosqlite` URL)."""

    def __init__(self, busy_seconds: float):
        super().__init__(aiosqlite, sqlite3)
        self.busy_seconds = busy_seconds

    def connect(self, *arg: Any, **kw: Any) -> OneHopConnection:
        database = _database(arg, kw)
        adapted = super().connect(*arg, **{**kw, "check_same_thread": False})  # reads run inline (above)
        return OneHopConnection(self, adapted._connection, database, self.busy_seconds)


def dbapi(busy_seconds: float) -> OneHopDBAPI:
    """`busy_seconds`: how long a writer waits for this process's other writers (SQLite's busy timeout)."""
    return OneHopDBAPI(busy_seconds)
