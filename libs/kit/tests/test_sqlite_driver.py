"""The embedded default's SQLite driver (yishe_kit.sqlite_driver): a statement is one hand-off to aiosqlite's thread,
and a process's writers take turns in asyncio instead of sleeping in SQLite's busy handler (issue 11: registration →
Party record; a registration cost the six processes ~110 ms of CPU, ~40 % of a consumer's on waking that thread)."""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3

import aiosqlite
import pytest
from sqlalchemy import insert, select, text

from yishe_kit import db, testing
from yishe_kit.sqlite_driver import writes

from .conftest import metadata

pytestmark = pytest.mark.skipif(testing.test_backend() == "postgres", reason="the embedded default's SQLite driver")

thing = metadata.tables["thing"]


@pytest.fixture
async def engine(tmp_path):
    engine = db.make_engine(f"sqlite+aiosqlite:///{tmp_path / 'driver.db'}")
    async with engine.begin() as conn:
        await conn.run_sync(metadata.create_all)
    yield engine
    await engine.dispose()


@pytest.fixture
def hand_offs(monkeypatch) -> list[str]:
    """Each call into aiosqlite's worker thread, by the function's name. The driver's memory of statements that once
    overran the inline budget is the process's: an earlier test on a loaded machine must not decide these."""
    from yishe_kit import sqlite_driver

    monkeypatch.setattr(sqlite_driver, "_slow", {})
    calls: list[str] = []
    real = aiosqlite.Connection._execute

    async def counted(self, fn, *args, **kwargs):
        calls.append(getattr(fn, "__name__", repr(fn)))
        return await real(self, fn, *args, **kwargs)

    monkeypatch.setattr(aiosqlite.Connection, "_execute", counted)
    return calls


async def test_reads_and_small_writes_run_on_the_loop_and_a_many_row_write_is_one_call_into_the_thread(
        engine, hand_offs) -> None:
    async with engine.connect() as conn:
        await conn.execute(insert(thing).values(thing_id="a", name="温州市鹿城区社会组织"))
        rows = (await conn.execute(select(thing.c.thing_id, thing.c.name).order_by(thing.c.thing_id))).all()
        assert rows == [("a", "温州市鹿城区社会组织")]
        assert hand_offs == []  # both on the event loop's thread
        await conn.execute(insert(thing), [{"thing_id": f"m{i}", "name": "组织"} for i in range(50)])
        assert hand_offs == ["_run"]  # SQLAlchemy's aiosqlite adapter: cursor, execute, fetchall, close
        await conn.commit()
    async with engine.connect() as conn:
        assert (await conn.execute(text("SELECT count(*) FROM thing"))).scalar() == 51


class Ticker:
    """Counts event-loop turns (a 1 ms sleep each) while in use: a loop held by a statement does not count."""

    def __init__(self) -> None:
        self.ticks = 0
        self._task: asyncio.Task | None = None

    async def _run(self) -> None:
        while True:
            self.ticks += 1
            await asyncio.sleep(0.001)

    async def __aenter__(self) -> Ticker:
        self._task = asyncio.create_task(self._run())
        return self

    async def __aexit__(self, *exc: object) -> None:
        assert self._task is not None
        self._task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._task


async def test_a_write_meeting_another_processs_lock_waits_in_the_thread_not_on_the_loop(engine, tmp_path,
                                                                                      hand_offs) -> None:
    """Another process (here a plain sqlite3 connection) holds the file's write lock: the small write, tried on the
    loop with no busy wait, goes to the thread and waits there, so the loop stays free (it is the loop that
    releases the lock here: a write waiting on the loop would never see it released)."""
    other = sqlite3.connect(tmp_path / "driver.db", isolation_level=None)
    ticks_when_released: list[int] = []
    try:
        async with Ticker() as ticker:

            def release() -> None:
                ticks_when_released.append(ticker.ticks)
                other.execute("COMMIT")

            other.execute("BEGIN IMMEDIATE")
            other.execute("INSERT INTO thing VALUES ('o', '其他进程')")
            asyncio.get_running_loop().call_later(0.3, release)
            async with engine.begin() as conn:
                await conn.execute(insert(thing).values(thing_id="b", name="乙"))
                assert hand_offs == ["_run"]
    finally:
        other.close()
    assert ticks_when_released[0] > 10  # the loop ran while the write waited (not held in SQLite's busy wait)
    async with engine.connect() as conn:
        assert (await conn.execute(select(thing.c.thing_id).order_by(thing.c.thing_id))).scalars().all() == ["b", "o"]


# A read of a few hundred milliseconds: a count over a recursive series, as a SELECT (the inline form's only kind).
SLOW = "SELECT (WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < :n) SELECT count(*) FROM c)"


async def test_a_read_past_its_budget_finishes_in_the_thread_and_the_loop_runs_meanwhile(engine, hand_offs) -> None:
    async with Ticker() as ticker, engine.begin() as conn:
        await conn.execute(insert(thing).values(thing_id="w", name="甲"))  # a write transaction under way
        hand_offs.clear()
        before = ticker.ticks
        assert (await conn.execute(text(SLOW), {"n": 2_000_000})).scalar() == 2_000_000
        during = ticker.ticks - before
        assert hand_offs == ["_run"]  # interrupted inline past the budget, run again in the thread
        hand_offs.clear()
        assert (await conn.execute(text(SLOW), {"n": 10})).scalar() == 10
        assert hand_offs == ["_run"]  # that statement now goes to the thread at once
    assert during > 10  # the loop ran while the read did: it was not held for the whole read
    async with engine.connect() as conn:  # the interrupted read did not roll the transaction back
        assert (await conn.execute(select(thing.c.name).where(thing.c.thing_id == "w"))).scalar() == "甲"


async def test_rowcount_lastrowid_and_executemany_are_as_the_dbapi_reports_them(engine) -> None:
    async with engine.begin() as conn:
        await conn.execute(insert(thing), [{"thing_id": f"t{i}", "name": "组织"} for i in range(5)])
        updated = await conn.execute(text("UPDATE thing SET name = '协会' WHERE thing_id IN ('t1', 't2')"))
        assert updated.rowcount == 2
        inserted = await conn.execute(insert(thing).values(thing_id="t9", name="基金会"))
        assert inserted.lastrowid == 6  # SQLite's rowid of the sixth row
    async with engine.connect() as conn:
        assert (await conn.execute(text("SELECT count(*) FROM thing WHERE name = '协会'"))).scalar() == 2


async def test_a_second_writer_waits_for_the_first_to_commit_instead_of_failing(engine) -> None:
    """Writer B's connection gives SQLite's busy handler no time at all: without the process's turn-taking it would
    meet A's write lock and fail with 'database is locked'. With it, B's first write waits until A has committed."""
    order: list[str] = []
    a_wrote = asyncio.Event()
    release_a = asyncio.Event()

    async def writer_a() -> None:
        async with engine.begin() as conn:
            await conn.execute(insert(thing).values(thing_id="a", name="甲"))
            a_wrote.set()
            await release_a.wait()
            order.append("a commits")

    async def writer_b() -> None:
        await a_wrote.wait()
        async with engine.begin() as conn:
            await conn.exec_driver_sql("PRAGMA busy_timeout = 0")
            try:
                order.append("b tries")
                await conn.execute(insert(thing).values(thing_id="b", name="乙"))
                order.append("b wrote")
            finally:
                await conn.exec_driver_sql(f"PRAGMA busy_timeout = {db.BUSY_TIMEOUT_MS}")

    task_a = asyncio.create_task(writer_a())
    task_b = asyncio.create_task(writer_b())
    while order != ["b tries"]:
        await asyncio.sleep(0.01)
    await asyncio.sleep(0.3)  # time for B's write to reach SQLite, were it not waiting for its turn
    release_a.set()
    await asyncio.gather(task_a, task_b)
    assert order == ["b tries", "a commits", "b wrote"]
    async with engine.connect() as conn:
        assert (await conn.execute(select(thing.c.thing_id).order_by(thing.c.thing_id))).scalars().all() == ["a", "b"]


async def test_a_rolled_back_or_failed_transaction_gives_the_turn_back(engine) -> None:
    async with engine.connect() as conn:
        await conn.execute(insert(thing).values(thing_id="x", name="甲"))
        await conn.rollback()
    with pytest.raises(Exception, match="UNIQUE"):
        async with engine.begin() as conn:
            await conn.execute(insert(thing).values(thing_id="y", name="乙"))
            await conn.execute(insert(thing).values(thing_id="y", name="乙"))

    async def write() -> None:
        async with engine.begin() as conn:
            await conn.execute(insert(thing).values(thing_id="z", name="丙"))

    await asyncio.wait_for(write(), timeout=10)  # a turn left held would keep this waiting


def test_writes_that_may_touch_many_rows_are_not_run_on_the_loop() -> None:
    from yishe_kit.sqlite_driver import _WIDE

    for sql in ("INSERT INTO thing SELECT * FROM other", "DELETE FROM outbox WHERE seq IN (SELECT seq FROM outbox "
                "LIMIT 5000)", "INSERT INTO f (uscc) SELECT value FROM json_each(?)", "UPDATE profile_fragment SET "
                "body = NULL", "DELETE FROM thing", "update thing\n set name = 'x'"):
        assert _WIDE.search(sql), sql
    for sql in ("INSERT INTO thing (thing_id, name) VALUES (?, ?)", "UPDATE thing SET name=? WHERE thing.thing_id = ?",
                "DELETE FROM thing WHERE thing_id = ?", "INSERT INTO t (a) VALUES (?) ON CONFLICT (a) DO UPDATE SET "
                "n = t.n + 1"):
        assert not _WIDE.search(sql), sql


def test_reads_and_transaction_control_take_no_turn() -> None:
    for sql in ("SELECT 1", "  select * from thing", "PRAGMA busy_timeout = 0", "BEGIN", "SAVEPOINT sa_1",
                "RELEASE SAVEPOINT sa_1", "ROLLBACK", "COMMIT", "EXPLAIN QUERY PLAN SELECT 1"):
        assert not writes(sql), sql
    for sql in ("INSERT INTO thing VALUES (1)", "update thing set name = 'x'", "DELETE FROM thing", "BEGIN IMMEDIATE",
                "WITH t AS (SELECT 1) INSERT INTO thing SELECT * FROM t", "CREATE TABLE t (a)", "ANALYZE"):
        assert writes(sql), sql
