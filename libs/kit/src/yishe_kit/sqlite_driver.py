"""SQLite under asyncio in one thread hand-off a statement (the embedded default's driver, `make_engine`).

SQLAlchemy's aiosqlite adapter runs a statement as four calls into aiosqlite's worker thread: make the cursor,
execute, fetch every row, close. Each call is a round trip between two threads (wake the worker, wake the event
loop, the GIL passed both ways), and on this platform's 2-core machines that round trip costs 40–70 µs of CPU,
the statement itself a few: measured, `SELECT 1` cost 169 µs of CPU through the adapter, 39 µs as one call, 1 µs
inline. A registration's events cost the six processes ~110 ms of CPU (bench/registration_to_party.py), and py-spy
put ~40 % of a consumer's busy samples on waking that thread.

Here the cursor does the four in one function run in the same worker thread (`_run`): the same thread, the same
connection, the same order of statements, one round trip. Server-side cursors (streamed reads) keep aiosqlite's own.
Statements are not run inline on the event loop: a write waiting for another connection's write lock (busy timeout)
would stall the loop, and with it the very transaction it waits for.

**One writer at a time, waiting in asyncio.** SQLite has one writer per file. A process's connections writing at
once (a service's consumers, its relay, its read model storing a built fragment) met in SQLite's busy handler,
which sleeps 1, 2, 5, 10… ms between tries whenever the lock is taken, however soon it is free again: with the
statement timing above, the gateway's `BEGIN IMMEDIATE` waited over 2 ms 239 times in 100 registrations, and
consumers' fragment stores as often. So a connection takes its file's `WriteLock` (an asyncio lock per file and event
loop, first come first served) before its transaction's first write, and gives it back once the transaction has
ended (commit, rollback, close): the next writer is woken at once. Reads never wait (WAL). Other processes (a command
line tool, a migration) still meet the busy handler. A writer waiting past the busy timeout gets SQLite's own
"database is locked", as before.
"""

from __future__ import annotations

import asyncio
import collections
import os
import re
import sqlite3
import weakref
from collections.abc import Sequence
from typing import Any, ClassVar

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


class WriteLock:
    """The one writer's turn on an SQLite file in this process (per event loop: asyncio locks belong to one)."""

    _locks: ClassVar[weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, dict[str, asyncio.Lock]]] = (
        weakref.WeakKeyDictionary())

    @classmethod
    def of(cls, database: str) -> asyncio.Lock:
        per_loop = cls._locks.setdefault(asyncio.get_running_loop(), {})
        lock = per_loop.get(database)
        if lock is None:
            lock = per_loop[database] = asyncio.Lock()
        return lock


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
        self._connection: aiosqlite.Connection = adapt_connection._connection
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
        try:
            self.description, self.rowcount, self.lastrowid, rows, _ = await_(
                self._run_async(operation, parameters, many))
        except Exception as error:
            self._adapt_connection._handle_exception(error)
        self._rows = collections.deque(rows) if rows else collections.deque()

    async def _run_async(self, operation: Any, parameters: Any, many: bool) -> Result:
        conn = self._adapt_connection
        async with conn._execute_mutex:
            if not conn._holding and writes(operation):
                await conn._take_turn()
            in_transaction = True
            try:
                result = await self._connection._execute(_run, self._connection._conn, operation, parameters, many)
                in_transaction = result[4]
                return result
            finally:
                if not in_transaction:  # ended by this statement (or it failed, and SQLite ended it)
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
    __slots__ = ("_busy_seconds", "_holding", "_lock")
    _cursor_cls = OneHopCursor  # type: ignore[assignment]

    def __init__(self, dbapi: Any, connection: aiosqlite.Connection, database: str, busy_seconds: float):
        super().__init__(dbapi, connection)
        self._lock = WriteLock.of(database)
        self._holding = False
        self._busy_seconds = busy_seconds

    async def _take_turn(self) -> None:
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
        try:
            super().commit()
        finally:
            self._end_if_ended()

    def rollback(self) -> None:
        try:
            super().rollback()
        finally:
            self._end_if_ended()

    def _end_if_ended(self) -> None:
        conn = self._connection._connection  # the sqlite3 connection; None once closed
        if conn is None or not conn.in_transaction:
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
        adapted = super().connect(*arg, **kw)
        return OneHopConnection(self, adapted._connection, database, self.busy_seconds)


def dbapi(busy_seconds: float) -> OneHopDBAPI:
    """`busy_seconds`: how long a writer waits for this process's other writers (SQLite's busy timeout)."""
    return OneHopDBAPI(busy_seconds)
