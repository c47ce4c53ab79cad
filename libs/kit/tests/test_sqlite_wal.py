"""The embedded default's SQLite files keep their write-ahead log bounded while writes never pause (issue 11:
bulk propagation grew a service's log to 500 MB beside 113 MB of data, and it stayed that size on disk)."""

from __future__ import annotations

import sqlite3
import threading

import pytest
from sqlalchemy import insert, select, text

from yishe_kit import db, testing

from .conftest import metadata

pytestmark = pytest.mark.skipif(testing.test_backend() == "postgres",
                                reason="SQLite's write-ahead log: the embedded default's")

thing = metadata.tables["thing"]
LIMIT = 256 * 1024


async def _write(engine, start: int, n: int) -> None:
    async with engine.begin() as conn:
        await conn.execute(insert(thing), [{"thing_id": f"{i:036d}", "name": "温州市鹿城区社会组织" * 8}
                                           for i in range(start, start + n)])


def _file_holds(path, rows: int) -> None:
    """The file, opened afresh once the engine is gone: intact, with every row written."""
    check = sqlite3.connect(path)
    try:
        assert check.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert check.execute("SELECT count(*) FROM thing").fetchone() == (rows,)
    finally:
        check.close()


async def test_a_log_held_past_its_limit_by_overlapping_reads_is_emptied_once_they_end(tmp_path, monkeypatch):
    """Emptied in a thread of its own: a request that gives its connection back never waits for the copy (issue 11:
    one progress request waited 13.8 s at the end of a 1,000,000-row import)."""
    monkeypatch.setattr(db, "WAL_LIMIT_BYTES", LIMIT)
    monkeypatch.setattr(db, "WAL_CHECK_SECONDS", 0.0)
    monkeypatch.setattr(db, "WAL_CHECKPOINT_WAIT_MS", 50)  # each try while the reader holds gives up after this
    ran_in: set[int] = set()
    checkpoint = db.WalGuard._checkpoint

    def recorded(guard, empty: bool = True) -> None:
        ran_in.add(threading.get_ident())
        checkpoint(guard, empty)

    monkeypatch.setattr(db.WalGuard, "_checkpoint", recorded)
    path = tmp_path / "wal.db"
    wal = tmp_path / "wal.db-wal"
    engine = db.make_engine(f"sqlite+aiosqlite:///{path}")
    async with engine.begin() as conn:
        await conn.run_sync(metadata.create_all)
    reader = sqlite3.connect(path, timeout=0.1)
    try:
        # A reader holding its snapshot: no checkpoint can copy past it, so the log only grows while it reads.
        reader.execute("BEGIN")
        assert reader.execute("SELECT count(*) FROM thing").fetchone() == (0,)
        for k in range(8):
            await _write(engine, k * 500, 500)  # each commit's connection goes back to the pool: the guard looks
        held = wal.stat().st_size
        assert held > 4 * LIMIT
        assert reader.execute("SELECT count(*) FROM thing").fetchone() == (0,)  # its snapshot, undisturbed
        reader.execute("COMMIT")

        await _write(engine, 10_000, 1)
        # No commit copies the log (autocheckpoint off): only the guard does.

        async def emptied() -> bool:
            return wal.stat().st_size == 0

        await testing.eventually(emptied, timeout=10)
        assert ran_in and threading.get_ident() not in ran_in  # never in the request giving its connection back
        async with engine.connect() as conn:
            assert (await conn.execute(select(text("count(*)")).select_from(thing))).scalar() == 4001
            assert (await conn.execute(text("PRAGMA journal_size_limit"))).scalar() == LIMIT
    finally:
        reader.close()
        await engine.dispose()
    _file_holds(path, 4001)


async def test_no_commit_copies_the_log_into_the_file_the_guards_thread_does(tmp_path, monkeypatch):
    """Issue 11: SQLite's own autocheckpoint ran inside the COMMIT that took the log past 1,000 pages, so the
    1,000,000-row import's commit copied its 1.8 GB log for 11.7 s while the process's other writers (its relay, its
    consumers) waited for their turn. Now the commit only writes the log, and the guard's thread copies it."""
    monkeypatch.setattr(db, "WAL_CHECK_SECONDS", 0.0)
    release = threading.Event()
    ran_in: set[int] = set()
    checkpoint = db.WalGuard._checkpoint

    def held(guard, empty: bool = True) -> None:
        ran_in.add(threading.get_ident())
        release.wait(10)  # until the test has looked at the file as the commit left it
        checkpoint(guard, empty)

    monkeypatch.setattr(db.WalGuard, "_checkpoint", held)
    path = tmp_path / "copy.db"
    engine = db.make_engine(f"sqlite+aiosqlite:///{path}")
    try:
        async with engine.begin() as conn:
            await conn.run_sync(metadata.create_all)
        before = path.stat().st_size
        await _write(engine, 0, 20_000)  # ~7 MB of pages: past SQLite's autocheckpoint point, in one commit
        assert (tmp_path / "copy.db-wal").stat().st_size > db.WAL_COPY_BYTES
        assert path.stat().st_size == before  # the commit copied nothing into the file

        release.set()

        async def copied() -> bool:
            return path.stat().st_size > before + db.WAL_COPY_BYTES

        await testing.eventually(copied, timeout=10)
        assert ran_in and threading.get_ident() not in ran_in
        async with engine.connect() as conn:
            assert (await conn.execute(text("PRAGMA wal_autocheckpoint"))).scalar() == 0
            assert (await conn.execute(select(text("count(*)")).select_from(thing))).scalar() == 20_000
    finally:
        release.set()
        await engine.dispose()
    _file_holds(path, 20_000)
