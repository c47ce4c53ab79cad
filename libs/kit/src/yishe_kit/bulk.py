"""Many rows into one table in one statement, inside the caller's transaction (imports, daily jobs, outbox batches).

On SQLite the rows go to the driver's `executemany` as plain tuples, each value passed through the column type's own
bind processor first, so the stored values are exactly what a Core `insert()` would store; SQLAlchemy's per-row
statement machinery (the larger part of a Core executemany's cost, PERFORMANCE.md: ~140k rows/s against the driver's
~410k) is skipped. Elsewhere (PostgreSQL) it is a Core executemany, which asyncpg already batches well, or, asked
for (`copy=True`) and for many rows, a binary COPY.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Callable, Iterator, Mapping, Sequence
from contextlib import asynccontextmanager
from typing import Any

from sqlalchemy import Date, Table, bindparam, insert, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.engine import Dialect
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession

from .db import UtcDateTime

Processor = Callable[[Any], Any]
_SQL_CACHE: dict[tuple[int, str, tuple[str, ...], str], tuple[str, list[Processor | None], list[bool]]] = {}


def _statement(table: Table, columns: tuple[str, ...], dialect: Dialect, verb: str,
               ) -> tuple[str, list[Processor | None], list[bool]]:
    """The SQLite statement (`verb`: "insert", "ignore" or "update" — SET every column but the last, WHERE the last
    equals), each column's bind processor, and whether equal values of the column always bind alike (a date, or a
    UTC timestamp: equal instants are one UTC text), so a batch's repeated values are processed once."""
    key = (id(table), dialect.name, columns, verb)
    cached = _SQL_CACHE.get(key)
    if cached is None:
        quote = dialect.identifier_preparer.quote
        if verb == "update":
            sql = (f"UPDATE {quote(table.name)} SET {', '.join(f'{quote(c)} = ?' for c in columns[:-1])} "
                   f"WHERE {quote(columns[-1])} = ?")
        else:
            sql = (f"{'INSERT OR IGNORE INTO' if verb == 'ignore' else 'INSERT INTO'} {quote(table.name)} "
                   f"({', '.join(quote(c) for c in columns)}) VALUES ({', '.join('?' for _ in columns)})")
        processors: list[Processor | None] = [
            table.c[c].type.dialect_impl(dialect).bind_processor(dialect) for c in columns]
        repeatable = [isinstance(table.c[c].type, UtcDateTime | Date) for c in columns]
        cached = _SQL_CACHE[key] = (sql, processors, repeatable)
    return cached


def _bound(process: Processor, values: list[Any], repeatable: bool) -> list[Any]:
    """`values` through `process`; a column whose equal values bind alike and that repeats them (a batch's `at`,
    `received_at` or registration dates: SQLite's text formatting of a datetime costs ~1.5 µs) once per value."""
    if repeatable and len(values) > 8:
        distinct = set(values)
        if len(distinct) * 2 <= len(values):
            table = {v: process(v) for v in distinct}
            return list(map(table.__getitem__, values))
    return list(map(process, values))


def _columns(table: Table, first: Mapping[str, Any]) -> tuple[tuple[str, ...], dict[str, Any]]:
    """The given columns plus those left out that have a scalar Python default (a callable one must be given)."""
    unknown = set(first) - set(table.c.keys())
    if unknown:
        raise ValueError(f"{table.name} has no column(s) {sorted(unknown)}")
    defaults = {}
    for col in table.c:
        if col.key in first or col.default is None:
            continue
        if not col.default.is_scalar:
            raise ValueError(f"{table.name}.{col.key} has a computed default: give its value")
        defaults[col.key] = col.default.arg  # type: ignore[attr-defined]  # a ScalarElementColumnDefault
    return tuple(first) + tuple(defaults), defaults


async def insert_rows(session: AsyncSession, table: Table, rows: Sequence[Mapping[str, Any]], *,
                      or_ignore: bool = False, copy: bool = False) -> None:
    """Insert `rows` (dicts with the same keys) into `table`. `or_ignore`: rows clashing with a unique key are
    skipped (SQLite `INSERT OR IGNORE`, PostgreSQL `ON CONFLICT DO NOTHING`). `copy`: on PostgreSQL the rows go
    by `COPY … FROM STDIN` (binary, asyncpg) in the session's transaction, each value through its column type's
    bind processor as an INSERT would send it (see `_copy`), when there are at least COPY_MIN_ROWS; ignored
    elsewhere and with `or_ignore`."""
    if not rows:
        return
    columns, defaults = _columns(table, rows[0])
    conn = await session.connection()
    with _pinned(table, columns, rows):
        if copy and not or_ignore and len(rows) >= COPY_MIN_ROWS and conn.dialect.name == "postgresql":
            await _copy(conn, table, columns, defaults, rows)
        else:
            await _execute(conn, table, columns, defaults, rows, conn.dialect, or_ignore)


COPY_MIN_ROWS = 64
"""Fewer rows go by executemany even when `copy` is asked: a COPY costs asyncpg a look-up of the table's column types
and the protocol's round trips first, more than a few rows' INSERT."""


async def _copy(conn: Any, table: Table, columns: tuple[str, ...], defaults: dict[str, Any],
                rows: Sequence[Mapping[str, Any]]) -> None:
    """PostgreSQL: the rows by binary COPY on the session's own asyncpg connection, inside its transaction. A Core
    executemany of a 1,000-row chunk of 33-column organisations spent ~0.1 s building and sending its statements
    (bench: the import's organisation and history writes ~137 µs a row).

    First an INSERT of no rows into the same table, through SQLAlchemy: it begins the transaction if this is its
    first statement (SQLAlchemy's asyncpg adapter begins it with the first statement it runs; a COPY before it
    would commit on its own), and it is what the read models' engine listener sees of this write — under the same
    pin as an executemany (`_pinned`), so exactly the organisations these rows name are voided (a table without a
    USCC column voids all, as any write to it does). The COPY itself is invisible to SQLAlchemy."""
    _, processors, repeatable = _statement(table, columns, conn.dialect, "insert")
    records = _params(columns, processors, repeatable, rows, defaults)
    quote = conn.dialect.identifier_preparer.quote
    name = quote(table.name) if table.schema is None else f"{quote(table.schema)}.{quote(table.name)}"
    first = quote(columns[0])
    await conn.exec_driver_sql(f"INSERT INTO {name} ({first}) SELECT {first} FROM {name} WHERE false")
    raw = await conn.get_raw_connection()
    try:
        await raw.driver_connection.copy_records_to_table(table.name, records=records, columns=list(columns),
                                                          schema_name=table.schema)
    except Exception as exc:  # asyncpg's own error: raised as an INSERT's would be (IntegrityError for a clash, …)
        dbapi = conn.dialect.loaded_dbapi
        try:
            raw.dbapi_connection._handle_exception(exc)  # the adapter's translation to its DB-API errors
        except dbapi.Error as translated:
            raise DBAPIError.instance(f"COPY {table.name}", None, translated, dbapi.Error) from exc
        raise


@contextlib.contextmanager
def _pinned(table: Table, columns: Sequence[str], rows: Sequence[Mapping[str, Any]]) -> Iterator[None]:
    """The statement run inside changes only the organisations its rows name (their USCC columns): only those
    fragments are voided (yishe_kit.readmodel), not every one. A table without a USCC column voids them all."""
    from .readmodel import is_uscc_column, pinned_write, unpin

    named = [c for c in columns if is_uscc_column(c)]
    token = pinned_write(table.name, [row[k] for row in rows for k in named if row.get(k)]) if named else None
    try:
        yield
    finally:
        if token is not None:
            unpin(token)


async def _execute(conn: Any, table: Table, columns: tuple[str, ...], defaults: dict[str, Any],
                   rows: Sequence[Mapping[str, Any]], dialect: Dialect, or_ignore: bool) -> None:
    if dialect.name != "sqlite":
        stmt = pg_insert(table).on_conflict_do_nothing() if or_ignore else insert(table)
        await conn.execute(stmt, [dict(r) for r in rows])
        return
    sql, processors, repeatable = _statement(table, columns, dialect, "ignore" if or_ignore else "insert")
    await conn.exec_driver_sql(sql, _params(columns, processors, repeatable, rows, defaults))


def _params(columns: tuple[str, ...], processors: list[Processor | None], repeatable: list[bool],
            rows: Sequence[Mapping[str, Any]], defaults: Mapping[str, Any]) -> list[tuple]:
    """The driver's parameter tuples: each given column's values through its bind processor, then the defaults."""
    given = columns[: len(columns) - len(defaults)]
    # Column by column: one map() per column with a processor is several times cheaper than a call per value.
    data = []
    for name, process, alike in zip(given, processors, repeatable, strict=False):
        values = [row[name] for row in rows]
        data.append(_bound(process, values, alike) if process is not None else values)
    for name, process in zip(columns[len(given):], processors[len(given):], strict=True):
        value = defaults[name] if process is None else process(defaults[name])
        data.append([value] * len(rows))
    return list(zip(*data, strict=True))


async def update_rows(session: AsyncSession, table: Table, key: str, rows: Sequence[Mapping[str, Any]]) -> None:
    """In each row of `table` whose `key` column equals a dict's `key`, set that dict's other columns (dicts with the
    same keys), in one statement inside the caller's transaction; a dict matching no row changes nothing. The rows'
    organisations (a USCC key) are the only ones whose read-model fragments are voided, as for `insert_rows`. On
    SQLite a driver executemany, values bound as a Core update binds them; elsewhere a Core executemany."""
    if not rows:
        return
    columns = (*[c for c in rows[0] if c != key], key)
    unknown = set(columns) - set(table.c.keys())
    if unknown or len(columns) < 2:
        raise ValueError(f"{table.name}: no column(s) {sorted(unknown)}, or nothing to set")
    conn = await session.connection()
    with _pinned(table, columns, rows):
        if conn.dialect.name != "sqlite":
            stmt = update(table).where(table.c[key] == bindparam("k_")).values(
                {c: bindparam(f"v_{c}") for c in columns[:-1]})
            await conn.execute(stmt, [{"k_": r[key], **{f"v_{c}": r[c] for c in columns[:-1]}} for r in rows])
            return
        sql, processors, repeatable = _statement(table, columns, conn.dialect, "update")
        await conn.exec_driver_sql(sql, _params(columns, processors, repeatable, rows, {}))


@asynccontextmanager
async def bulk_cache(session: AsyncSession, mib: int = 16) -> AsyncIterator[None]:
    """SQLite: a larger page cache on this connection while a bulk write runs (default 2 MB), then the old size
    again. At a million rows the random-key indexes (USCC, name key, event id) no longer fit the default cache and
    every chunk re-reads their pages. The cache is the process's memory: measured with a 1,000,000-row import into
    the registry, 16 MiB ran at 6,600 rows/s with a peak of 177 MB RSS, 32 MiB at 6,850/s and 195 MB (2026-12-04);
    256 MiB, the size before, grew past 500 MB."""
    conn = await session.connection()
    if conn.dialect.name != "sqlite":
        yield
        return
    before = (await conn.exec_driver_sql("PRAGMA cache_size")).scalar_one()
    await conn.exec_driver_sql(f"PRAGMA cache_size = {-1024 * int(mib)}")
    try:
        yield
    except BaseException:
        # The write failed: its transaction may be unusable now (the caller rolls it back); the connection's cache
        # size is restored when the pool resets or closes it, and the original error is what the caller must see.
        with contextlib.suppress(Exception):
            await conn.exec_driver_sql(f"PRAGMA cache_size = {int(before)}")
        raise
    await conn.exec_driver_sql(f"PRAGMA cache_size = {int(before)}")
