"""insert_rows stores exactly what a Core insert stores (the SQLite fast path bypasses SQLAlchemy's per-row layer)
and Outbox.emit_many writes the same rows as emit."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal

import pytest
from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Date,
    Integer,
    MetaData,
    Numeric,
    String,
    Table,
    func,
    insert,
    select,
    text,
)
from sqlalchemy.exc import IntegrityError

from yishe_contracts.events.registry import OrganisationStatus, OrganisationStatusChanged
from yishe_kit import bulk
from yishe_kit.bulk import insert_rows, update_rows
from yishe_kit.db import UtcDateTime
from yishe_kit.outbox import Outbox

wide = Table(
    "wide", MetaData(),
    Column("k", String(10), primary_key=True),
    Column("label", String(50)),
    Column("day", Date),
    Column("at", UtcDateTime()),
    Column("amount", Numeric(14, 2)),
    Column("flag", Boolean),
    Column("doc", JSON),
    Column("count", Integer, nullable=False, default=7),
)


def _row(k: str, **extra) -> dict:
    return {"k": k, "label": "温州市鹿城区　ＡＢ协会", "day": date(2026, 3, 1),
            "at": datetime(2026, 3, 1, 8, 30, 15, 123456, tzinfo=timezone(timedelta(hours=8))),
            "amount": Decimal("30000.50"), "flag": True, "doc": {"名称": "协会", "n": [1, None]}, **extra}


@pytest.fixture
async def session(sessionmaker):
    async with sessionmaker() as s:
        conn = await s.connection()
        await conn.run_sync(wide.create, checkfirst=True)
        yield s


async def _raw(session, key: str) -> tuple:
    # The stored values themselves (no type processing on the way out), so a difference in storage shows.
    return tuple((await session.execute(text("SELECT * FROM wide WHERE k = :k"), {"k": key})).one())


async def test_fast_path_stores_what_core_stores(session) -> None:
    await session.execute(insert(wide), [_row("core"), _row("core-null", label=None, doc=None, at=None)])
    await insert_rows(session, wide, [_row("fast"), _row("fast-null", label=None, doc=None, at=None)])
    assert (await _raw(session, "fast"))[1:] == (await _raw(session, "core"))[1:]
    assert (await _raw(session, "fast-null"))[1:] == (await _raw(session, "core-null"))[1:]
    loaded = (await session.execute(select(wide).where(wide.c.k == "fast"))).one()._asdict()
    assert loaded["at"] == datetime(2026, 3, 1, 0, 30, 15, 123456, tzinfo=UTC)
    assert loaded["doc"] == {"名称": "协会", "n": [1, None]} and loaded["amount"] == Decimal("30000.50")
    assert loaded["count"] == 7  # a scalar default left out is applied, as Core applies it


@pytest.fixture
def copy_always(monkeypatch):
    """COPY for any number of rows (it starts at COPY_MIN_ROWS), so these few rows take that path."""
    monkeypatch.setattr(bulk, "COPY_MIN_ROWS", 1)


async def test_copy_stores_what_core_stores_and_rolls_back_with_its_transaction(session, sessionmaker,
                                                                               copy_always) -> None:
    """#11: `copy=True` (PostgreSQL: binary COPY on the session's connection, the bulk import's path; elsewhere the
    same executemany) stores every value as a Core insert does — Chinese text, dates, instants in another zone,
    amounts, booleans, JSON, nulls and a left-out default — and inside the caller's transaction: rolled back, it
    leaves nothing."""
    rows = [_row("cp"), _row("cpn", label=None, doc=None, at=None, day=None, amount=None, flag=None)]
    await session.execute(insert(wide), [{**r, "k": "core-" + r["k"]} for r in rows])
    await insert_rows(session, wide, rows, copy=True)
    for r in rows:
        assert (await _raw(session, r["k"]))[1:] == (await _raw(session, "core-" + r["k"]))[1:]
    loaded = (await session.execute(select(wide).where(wide.c.k == "cp"))).one()._asdict()
    assert loaded["at"] == datetime(2026, 3, 1, 0, 30, 15, 123456, tzinfo=UTC) and loaded["count"] == 7
    assert loaded["doc"] == {"名称": "协会", "n": [1, None]} and loaded["amount"] == Decimal("30000.50")
    await session.commit()
    async with sessionmaker() as other:
        await insert_rows(other, wide, [_row("cp-undone")], copy=True)
        assert (await other.scalar(select(func.count()).select_from(wide).where(wide.c.k == "cp-undone"))) == 1
        await other.rollback()
    assert (await session.scalar(select(func.count()).select_from(wide).where(wide.c.k == "cp-undone"))) == 0


async def test_a_copy_clashing_with_a_stored_key_raises_as_an_insert_would(session, copy_always) -> None:
    """A clash under COPY is SQLAlchemy's IntegrityError, as from an INSERT: callers (a concurrent name claim, a
    job's retry of transient failures) tell database errors apart by those types."""
    await insert_rows(session, wide, [_row("dup")])
    with pytest.raises(IntegrityError):
        await insert_rows(session, wide, [_row("dup2"), _row("dup")], copy=True)
    await session.rollback()


async def test_a_batch_repeating_dates_and_instants_stores_each_row_as_core_does(session) -> None:
    """A batch whose date and timestamp columns repeat (processed once per distinct value) stores every row as Core
    does: the same instant written in two zones is one UTC text, other instants stay apart, a null stays null."""
    shanghai, utc = timezone(timedelta(hours=8)), UTC
    instants = [datetime(2026, 3, 1, 8, 30, tzinfo=shanghai), datetime(2026, 3, 1, 0, 30, tzinfo=utc),
                datetime(2026, 3, 1, 0, 31, tzinfo=utc), None]
    days = [date(2026, 3, 1), date(2026, 3, 2), None]
    rows = [_row(f"r{i}", at=instants[i % 4], day=days[i % 3]) for i in range(24)]
    await session.execute(insert(wide), [{**r, "k": "c" + r["k"]} for r in rows])
    await insert_rows(session, wide, rows)
    for i in range(24):
        assert (await _raw(session, f"r{i}"))[1:] == (await _raw(session, f"cr{i}"))[1:]
    stored = {k: at for k, at in (await session.execute(select(wide.c.k, wide.c.at))).all()}
    assert stored["r0"] == stored["r1"] == datetime(2026, 3, 1, 0, 30, tzinfo=UTC) != stored["r2"]
    assert stored["r3"] is None


async def test_update_rows_sets_what_a_core_update_sets_and_only_on_its_keys(session) -> None:
    """update_rows' SQLite fast path stores each set value as a Core update does; rows not named keep theirs; a key
    matching nothing changes nothing; an unknown column is refused before anything is written."""
    from sqlalchemy import update

    await insert_rows(session, wide, [_row("u1"), _row("u2"), _row("c1"), _row("keep")])
    later = datetime(2026, 4, 2, 9, 0, tzinfo=timezone(timedelta(hours=8)))
    changes = {"label": "改名　Ｂ会", "day": date(2026, 4, 2), "at": later, "amount": Decimal("12.30"), "flag": False,
               "doc": {"理由": "更正"}}
    await session.execute(update(wide).where(wide.c.k == "c1").values(**changes))
    await update_rows(session, wide, "k", [{**changes, "k": "u1"}, {**changes, "k": "u2"}, {**changes, "k": "none"}])
    assert (await _raw(session, "u1"))[1:] == (await _raw(session, "c1"))[1:] == (await _raw(session, "u2"))[1:]
    assert (await _raw(session, "keep"))[1:] != (await _raw(session, "c1"))[1:]
    assert (await _raw(session, "keep"))[1] == "温州市鹿城区　ＡＢ协会"
    assert (await session.scalar(select(func.count()).select_from(wide))) == 4
    with pytest.raises(ValueError, match="colour"):
        await update_rows(session, wide, "k", [{"colour": "红", "k": "u1"}])


async def test_or_ignore_skips_clashing_rows_and_plain_insert_refuses_them(session) -> None:
    await insert_rows(session, wide, [_row("a")])
    await insert_rows(session, wide, [_row("a", label="changed"), _row("b")], or_ignore=True)
    rows = (await session.execute(select(wide.c.k, wide.c.label).order_by(wide.c.k))).all()
    assert [(k, label) for k, label in rows] == [("a", "温州市鹿城区　ＡＢ协会"), ("b", "温州市鹿城区　ＡＢ协会")]
    with pytest.raises(Exception, match=r"(?i)unique|duplicate"):
        await insert_rows(session, wide, [_row("b")])


async def test_unknown_columns_are_refused(session) -> None:
    with pytest.raises(ValueError, match="no column"):
        await insert_rows(session, wide, [_row("x", colour="red")])
    await insert_rows(session, wide, [])  # nothing to do is not an error


async def test_emit_many_writes_the_rows_emit_writes(session) -> None:
    from yishe_kit.db import new_metadata  # an outbox table of the kit's shape

    table = new_metadata().tables["outbox"]
    await (await session.connection()).run_sync(table.create, checkfirst=True)
    outbox = Outbox(table, "registry")
    events = [OrganisationStatusChanged(uscc=f"51330302MJA00000{i}X", from_status=OrganisationStatus.ACTIVE,
                                        to_status=OrganisationStatus.DEREGISTERED, rule="REG-2", reason="注销",
                                        effective_date=date(2026, 11, 1), decided_by="staff:a") for i in range(3)]
    single = await outbox.emit(session, events[0])
    many = await outbox.emit_many(session, events)
    rows = (await session.execute(select(table).order_by(table.c.seq))).all()
    assert [r.event_id for r in rows] == [single.id] + [e.id for e in many]
    assert {r.subject for r in rows} == {"registry.organisation.status_changed.v1"}
    assert all(r.attempts == 0 for r in rows)
    assert rows[1].payload == many[0].to_json_bytes()
    assert session.info.get("yishe_outbox_pending") is True


async def test_bulk_cache_is_larger_inside_and_restored_after(session) -> None:
    from yishe_kit.bulk import bulk_cache

    conn = await session.connection()
    if conn.dialect.name != "sqlite":
        async with bulk_cache(session):  # nothing to tune elsewhere, and nothing breaks
            return
    size = "PRAGMA cache_size"
    before = (await conn.exec_driver_sql(size)).scalar_one()
    async with bulk_cache(session, mib=128):
        assert (await conn.exec_driver_sql(size)).scalar_one() == -128 * 1024
    assert (await conn.exec_driver_sql(size)).scalar_one() == before


async def test_json_columns_store_chinese_as_utf8_text_and_read_back_the_same(session) -> None:
    """UTF-8 everywhere: a JSON column's text holds Chinese as itself (the standard library's default escaped it as
    `\\uXXXX`, twice the bytes); both write paths store it so, and what is read back is what was written."""
    doc = {"名称": "温州市鹿城区　ＡＢ协会", "n": [1, None, 2.5], "big": 2**70, 3: "非字符串键"}
    await session.execute(insert(wide), [_row("core-utf8", doc=doc)])
    await insert_rows(session, wide, [_row("fast-utf8", doc=doc)])
    for key in ("core-utf8", "fast-utf8"):
        stored = await session.scalar(text("SELECT CAST(doc AS TEXT) FROM wide WHERE k = :k"), {"k": key})
        assert "温州市鹿城区　ＡＢ协会" in stored and "\\u" not in stored
        loaded = await session.scalar(select(wide.c.doc).where(wide.c.k == key))
        assert loaded == {"名称": "温州市鹿城区　ＡＢ协会", "n": [1, None, 2.5], "big": 2**70, "3": "非字符串键"}
