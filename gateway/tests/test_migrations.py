"""The gateway's migrations, applied to an empty store, match its models; its consumers are declared in contracts."""

from __future__ import annotations

import sqlite3

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from yishe_contracts.subjects import SUBJECTS
from yishe_gateway.exchange.consumers import subscriptions
from yishe_gateway.main import metadata
from yishe_kit import testing
from yishe_kit.db import make_engine
from yishe_kit.testing import migrate

from .conftest import GATEWAY_DIR


async def test_migrations_match_models_when_upgraded_to_head(gateway_db: str) -> None:
    engine = make_engine(gateway_db)
    try:
        async with engine.connect() as conn:
            diff = await conn.run_sync(
                lambda sync: compare_metadata(MigrationContext.configure(sync, opts={"compare_type": True}), metadata))
    finally:
        await engine.dispose()
    assert diff == []


def test_tables_follow_the_naming_convention() -> None:
    for table in metadata.tables.values():
        assert table.primary_key.name == f"pk_{table.name}"


def test_gateway_consumes_every_subject_it_is_declared_for_and_no_other() -> None:
    subs = subscriptions()
    declared = {s for s, spec in SUBJECTS.items() if "gateway" in spec.consumers}
    assert {s.subject for s in subs} == declared
    for sub in subs:
        assert SUBJECTS[sub.subject].model is sub.model and sub.consumer == "gateway"
        assert sub.durable == "gateway-" + sub.subject.replace(".", "-")


@pytest.mark.skipif(testing.test_backend() == "postgres",
                    reason="the rowid is SQLite's; PostgreSQL only loses the index (compared with the models above)")
def test_feed_entries_keep_their_sequence_and_data_when_the_sequence_becomes_the_rowid(tmp_path) -> None:
    """EXCH-1, issue 11: the feed's sequence number becomes SQLite's rowid and the unused division index goes (two
    b-trees fewer per entry); the entries already stored keep their sequence numbers, which are the readers' cursors."""
    path = tmp_path / "gateway.db"
    url = f"sqlite+aiosqlite:///{path}"
    migrate(GATEWAY_DIR, url, "2c25ac2da39d")
    rows = [(seq, f"00000000-0000-0000-0000-{seq:012d}", "registry.organisation.registered.v1",
             "51330302MJ0000000X", "330302", '{"name": "温州市鹿城区书画协会"}') for seq in (5, 9, 4_000_000_000)]
    with sqlite3.connect(path) as db:
        db.executemany("INSERT INTO feed_entry (seq, event_id, subject, uscc, division_code, occurred_at, recorded_at, "
                       "source, data) VALUES (?, ?, ?, ?, ?, '2026-12-05 08:00:00', '2026-12-05 08:00:01', "
                       "'registry', ?)", rows)
    db.close()
    migrate(GATEWAY_DIR, url, "head")
    db = sqlite3.connect(path)
    try:
        assert db.execute("SELECT seq, event_id, subject, uscc, division_code, data FROM feed_entry ORDER BY seq"
                          ).fetchall() == rows
        assert db.execute("SELECT rowid FROM feed_entry ORDER BY seq").fetchall() == [(5,), (9,), (4_000_000_000,)]
        indexes = {r[1] for r in db.execute("PRAGMA index_list('feed_entry')")}
        assert "ix_feed_entry_division_code" not in indexes
        assert {"ix_feed_entry_uscc", "ix_feed_entry_subject"} <= indexes
        # The key is no longer an index of its own: the one automatic index left is event_id's (unique).
        autos = [name for name in indexes if name.startswith("sqlite_autoindex")]
        assert [r[2] for name in autos for r in db.execute(f"PRAGMA index_info('{name}')")] == ["event_id"]
        plan = db.execute("EXPLAIN QUERY PLAN SELECT * FROM feed_entry WHERE seq > 5 ORDER BY seq").fetchall()
        assert "INTEGER PRIMARY KEY" in plan[0][-1]
        with pytest.raises(sqlite3.IntegrityError):  # one entry per event, as before
            db.execute("INSERT INTO feed_entry (seq, event_id, subject, division_code, occurred_at, recorded_at, "
                       "source, data) VALUES (10, ?, 'x', '330302', '', '', 'registry', '{}')", (rows[0][1],))
        assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    finally:
        db.close()
