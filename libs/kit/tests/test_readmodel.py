"""The profile read model: what a read returns after every kind of write, races with a build, the fast lane."""

from __future__ import annotations

import asyncio
import sqlite3
import uuid
from datetime import date

import httpx
import orjson
import pytest
from fastapi import FastAPI, Request
from pydantic import BaseModel
from pydantic_settings import SettingsConfigDict
from sqlalchemy import Column, Integer, String, Table, delete, insert, select, text, update
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from starlette.datastructures import State

from yishe_kit.assertion import AssertionGate, AssertionSettings, verifier_for
from yishe_kit.db import BigIntPK, make_engine, make_sessionmaker, new_metadata
from yishe_kit.errors import NotFound, ServiceError, install_handlers
from yishe_kit.front import FrontedApp
from yishe_kit.metrics import Metrics
from yishe_kit.readmodel import (
    BATCH_MAX,
    BATCH_PATH,
    FragmentLane,
    Fragments,
    FrontFragmentLane,
    ReadModel,
    batch_usccs,
    listen_to_engine,
    listening_session_class,
    sqlite_path,
)
from yishe_kit.settings import ServiceSettings
from yishe_kit.testing import _pg, assertion_hook, create_pg_database, key_pair_for_tests
from yishe_kit.testing import test_backend as backend

metadata = new_metadata(fragments=True)
FRAGMENT = metadata.tables["profile_fragment"]
USCC, OTHER = "51330300MJ8A2T0116", "51330300MJ8A2T0124"


class Base(DeclarativeBase):
    metadata = metadata


class Org(Base):
    __tablename__ = "org"
    uscc: Mapped[str] = mapped_column(String(18), primary_key=True)
    name: Mapped[str] = mapped_column(String(100))


class Note(Base):
    """A view input keyed by a plain `uscc` column."""

    __tablename__ = "note"
    note_id: Mapped[int] = mapped_column(BigIntPK, primary_key=True, autoincrement=True)
    uscc: Mapped[str] = mapped_column(String(18))
    text: Mapped[str] = mapped_column(String(100))


class Complaint(Base):
    """A view input whose USCC column has another name (`*_uscc`), possibly empty."""

    __tablename__ = "complaint"
    complaint_id: Mapped[int] = mapped_column(BigIntPK, primary_key=True, autoincrement=True)
    target_uscc: Mapped[str | None] = mapped_column(String(18))


class Rule(Base):
    """A view input with no USCC: a change to it can alter every view."""

    __tablename__ = "rule"
    key: Mapped[str] = mapped_column(String(20), primary_key=True)
    value: Mapped[str] = mapped_column(String(100))


class Audit(Base):
    """Never read by the view (declared ignored)."""

    __tablename__ = "audit"
    audit_id: Mapped[int] = mapped_column(BigIntPK, primary_key=True, autoincrement=True)
    uscc: Mapped[str] = mapped_column(String(18))


SEQUENCE = Table("sequence", metadata, Column("name", String(20), primary_key=True), Column("value", Integer))


class OrgView(BaseModel):
    uscc: str
    name: str
    notes: list[str]
    complaints: int
    motto: str | None
    day: date


async def org_view(state: State, session, uscc: str) -> OrgView:
    org = await session.get(Org, uscc)
    if org is None:
        raise NotFound("org_not_found", f"no organisation {uscc}")
    notes = list(await session.scalars(select(Note.text).where(Note.uscc == uscc).order_by(Note.note_id)))
    complaints = len(list(await session.scalars(select(Complaint.complaint_id).where(Complaint.target_uscc == uscc))))
    motto = await session.scalar(select(Rule.value).where(Rule.key == "motto"))
    if state.pause is not None:  # a test holds the build here, after its reads, before it stores
        state.paused.set()
        await state.pause.wait()
    return OrgView(uscc=org.uscc, name=org.name, notes=notes, complaints=complaints, motto=motto, day=state.today)


FRAGMENTS = Fragments(path="/v1/orgs/", view=org_view, today=lambda state: state.today,
                      ignore=frozenset({"audit", "sequence"}))


@pytest.fixture
async def model(tmp_path):
    if backend() == "postgres":
        name = f"yishe_test_kit_rm_{uuid.uuid4().hex[:12]}"
        url = create_pg_database(name)
    else:
        name, url = None, f"sqlite+aiosqlite:///{tmp_path / 'rm.db'}"
    engine = make_engine(url)
    async with engine.begin() as conn:
        await conn.run_sync(metadata.create_all)
    listen_to_engine(engine, FRAGMENTS)
    sessionmaker = make_sessionmaker(engine, listening_session_class(FRAGMENTS, FRAGMENT))
    state = State()
    state.today, state.pause, state.paused = date(2026, 11, 23), None, None
    rm = ReadModel(FRAGMENTS, FRAGMENT, engine, sessionmaker, state)
    await rm.start()
    async with sessionmaker() as session, session.begin():
        session.add_all([Org(uscc=USCC, name="温州市甲协会"), Org(uscc=OTHER, name="温州市乙协会")])
    yield rm
    await rm.close()
    await engine.dispose()
    if name:
        _pg([f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'])


async def view(rm: ReadModel, uscc: str = USCC) -> dict:
    return orjson.loads(await rm.get(uscc))


async def stored(rm: ReadModel, uscc: str = USCC) -> bytes | None:
    async with rm.engine.connect() as conn:
        return (await conn.execute(select(FRAGMENT.c.body).where(FRAGMENT.c.uscc == uscc))).scalar()


async def test_first_read_builds_and_stores_then_reads_come_from_the_table(model: ReadModel) -> None:
    first = await view(model)
    assert first["name"] == "温州市甲协会" and first["notes"] == []
    assert await stored(model) == await model.get(USCC)
    assert (model.builds, model.stored, model.reads) == (1, 1, 1)
    if backend() == "sqlite":
        assert model._ro is not None  # the inline read-only connection serves SQLite


async def test_concurrent_reads_each_get_their_own_fragment(model: ReadModel) -> None:
    """On PostgreSQL the reads waiting together go in one query (PgReader): each still gets its own bytes, a repeat
    of the same organisation included, and an organisation without a fragment is built as alone."""
    await view(model)  # USCC stored; OTHER not yet
    reads = [USCC, OTHER, USCC] * 10
    answers = await asyncio.gather(*[model.get(u) for u in reads])
    names = [orjson.loads(a)["name"] for a in answers]
    assert names == ["温州市甲协会", "温州市乙协会", "温州市甲协会"] * 10
    assert await stored(model, OTHER) is not None
    if backend() == "postgres":
        assert model._pg is not None and model._pg.queries < len(reads)  # batched, not one query per read


async def test_an_orm_change_to_the_organisation_shows_on_the_next_read(model: ReadModel) -> None:
    await view(model)
    async with model.sessionmaker() as session, session.begin():
        (await session.get(Org, USCC)).name = "温州市甲协会（更名）"
    assert await stored(model) is None
    assert (await view(model))["name"] == "温州市甲协会（更名）"


async def test_a_new_deleted_or_moved_row_keyed_by_uscc_shows_on_the_next_read(model: ReadModel) -> None:
    await view(model)
    await view(model, OTHER)
    async with model.sessionmaker() as session, session.begin():
        session.add(Note(uscc=USCC, text="第一条"))
    assert (await view(model))["notes"] == ["第一条"]
    async with model.sessionmaker() as session, session.begin():
        note = await session.scalar(select(Note))
        note.uscc = OTHER  # both the old and the new organisation change
    assert (await view(model))["notes"] == [] and (await view(model, OTHER))["notes"] == ["第一条"]
    async with model.sessionmaker() as session, session.begin():
        await session.delete(await session.scalar(select(Note)))
    assert (await view(model, OTHER))["notes"] == []


async def test_a_row_with_another_uscc_column_invalidates_its_organisation_only(model: ReadModel) -> None:
    await view(model)
    await view(model, OTHER)
    async with model.sessionmaker() as session, session.begin():
        session.add_all([Complaint(target_uscc=USCC), Complaint(target_uscc=None)])
    assert (await view(model))["complaints"] == 1
    await view(model, OTHER)
    assert model.builds == 3  # the other organisation's fragment was still good


async def test_a_change_to_a_table_without_uscc_voids_every_fragment(model: ReadModel) -> None:
    await view(model)
    await view(model, OTHER)
    async with model.sessionmaker() as session, session.begin():
        session.add(Rule(key="motto", value="公益"))
    assert (await view(model))["motto"] == "公益" and (await view(model, OTHER))["motto"] == "公益"


async def test_a_change_to_an_ignored_table_keeps_the_fragments(model: ReadModel) -> None:
    await view(model)
    async with model.sessionmaker() as session, session.begin():
        session.add(Audit(uscc=USCC))
        await session.execute(insert(SEQUENCE).values(name="n", value=1))
        conn = await session.connection()
        await conn.exec_driver_sql("UPDATE sequence SET value = value + 1")
    await view(model)
    assert model.builds == 1


@pytest.mark.parametrize("how", ["session_dml", "orm_bulk", "driver_sql", "bare_connection", "text"])
async def test_bulk_and_raw_writes_void_every_fragment(model: ReadModel, how: str) -> None:
    await view(model)
    await view(model, OTHER)
    if how == "bare_connection":
        async with model.engine.begin() as conn:
            await conn.execute(update(Org.__table__).values(name="批量更名"))
    else:
        async with model.sessionmaker() as session, session.begin():
            if how == "session_dml":
                await session.execute(update(Org).values(name="批量更名"))
            elif how == "orm_bulk":
                await session.execute(delete(Org).where(Org.uscc == OTHER))
                await session.execute(insert(Org), [{"uscc": OTHER, "name": "批量更名"}])
            elif how == "text":
                await session.execute(text("UPDATE org SET name = '批量更名'"))
            else:
                conn = await session.connection()
                await conn.exec_driver_sql(f"UPDATE org SET name = '批量更名' WHERE uscc = '{OTHER}'")
    assert (await view(model, OTHER))["name"] == "批量更名"


async def test_a_rolled_back_change_keeps_nothing_and_voids_nothing_visible(model: ReadModel) -> None:
    await view(model)
    async with model.sessionmaker() as session:
        (await session.get(Org, USCC)).name = "未提交"
        await session.flush()
        await session.rollback()
    assert (await view(model))["name"] == "温州市甲协会"
    assert model.builds == 1


async def test_another_day_rebuilds(model: ReadModel) -> None:
    await view(model)
    model.state.today = date(2026, 11, 24)
    assert (await view(model))["day"] == "2026-11-24"
    assert model.builds == 2


async def test_a_restart_keeps_every_fragment_when_the_view_is_the_same(model: ReadModel) -> None:
    """#11: a restart of the same code with the same settings voids nothing (no rebuild storm after a restart)."""
    await view(model)
    await model.start()
    await view(model)
    assert model.builds == 1


async def test_a_restart_with_other_settings_voids_every_fragment(model: ReadModel, monkeypatch) -> None:
    await view(model)
    model.state.settings = {"grade_validity_years": 5}  # the view's settings changed between two runs
    await model.start()
    await view(model)
    assert model.builds == 2
    await model.start()  # and the next restart with those settings keeps them again
    await view(model)
    assert model.builds == 2
    monkeypatch.setenv("YISHE_READMODEL_VOID_ON_START", "1")  # operators can still void everything at start
    await model.start()
    await view(model)
    assert model.builds == 3


class KitSettings(ServiceSettings):
    """A service's settings as the kit's base composes them: one setting its view reads, the rest how it runs."""

    model_config = SettingsConfigDict(env_prefix="KITTEST_")
    VIEW_NEUTRAL = ServiceSettings.VIEW_NEUTRAL | {"import_chunk_rows"}
    service_name: str = "kittest"
    grade_validity_years: int = 5
    import_chunk_rows: int = 1000


async def test_a_restart_on_other_urls_ports_or_tuning_keeps_every_fragment(model: ReadModel) -> None:
    """#11 item 4: a restart voids nothing still valid. Where the service runs (database and NATS URLs, log level,
    pools, its own tuning) is no part of a view: restarting on another NATS port (a benchmark reusing its data, a
    moved cluster) keeps the fragments; a setting a view reads still voids them."""
    model.state.settings = KitSettings(db={"url": "sqlite+aiosqlite:///a.db"}, nats={"url": "nats://127.0.0.1:4222"})
    await model.start()
    await view(model)
    builds = model.builds
    model.state.settings = KitSettings(db={"url": "sqlite+aiosqlite:///b.db", "pool_size": 3}, log_level="DEBUG",
                                       nats={"url": "nats://10.0.0.9:4333"}, import_chunk_rows=5000)
    await model.start()
    await view(model)
    assert model.builds == builds
    model.state.settings = KitSettings(db={"url": "sqlite+aiosqlite:///b.db"}, grade_validity_years=3)
    await model.start()
    await view(model)
    assert model.builds == builds + 1


@pytest.mark.parametrize("copy", [False, True], ids=["executemany", "copy"])
async def test_bulk_inserted_rows_void_only_the_organisations_they_name(model: ReadModel, copy: bool,
                                                                        monkeypatch) -> None:
    """#11: a bulk import (yishe_kit.bulk.insert_rows) voids the fragments of the organisations in its rows only;
    on PostgreSQL also when the rows go by COPY, which SQLAlchemy never sees."""
    from yishe_kit import bulk
    from yishe_kit.bulk import insert_rows

    monkeypatch.setattr(bulk, "COPY_MIN_ROWS", 1)
    await view(model)
    await view(model, OTHER)
    async with model.sessionmaker() as session, session.begin():
        await insert_rows(session, Note.__table__, [{"uscc": USCC, "text": "批量导入的备注"}], copy=copy)
    assert (await view(model))["notes"] == ["批量导入的备注"]
    assert (await view(model, OTHER))["notes"] == []
    assert model.builds == 3  # USCC rebuilt, OTHER served as stored
    async with model.sessionmaker() as session, session.begin():  # a table without USCC still voids everything
        await insert_rows(session, Rule.__table__, [{"key": "motto", "value": "为民"}], copy=copy)
    assert (await view(model, OTHER))["motto"] == "为民"


async def test_bulk_updated_rows_void_only_the_organisations_they_name(model: ReadModel) -> None:
    """#11: a bulk update (yishe_kit.bulk.update_rows, keyed by USCC) voids the fragments of its rows' organisations
    only, and what it set is what the next view shows."""
    from yishe_kit.bulk import insert_rows, update_rows

    async with model.sessionmaker() as session, session.begin():
        await insert_rows(session, Note.__table__, [{"uscc": USCC, "text": "旧备注"}, {"uscc": OTHER, "text": "别家"}])
    assert (await view(model))["notes"] == ["旧备注"] and (await view(model, OTHER))["notes"] == ["别家"]
    builds = model.builds
    async with model.sessionmaker() as session, session.begin():
        await update_rows(session, Note.__table__, "uscc", [{"text": "新备注", "uscc": USCC}])
    assert (await view(model))["notes"] == ["新备注"]
    assert (await view(model, OTHER))["notes"] == ["别家"]
    assert model.builds == builds + 1  # USCC rebuilt, OTHER served as stored


async def _raced(model: ReadModel, change, *, commit_before_store: bool) -> dict:
    """Build USCC while `change` runs in another session: committed before the build stores, or still in flight
    (flushed, holding its locks) while the build stores and committed only then."""
    state = model.state
    state.pause, state.paused = asyncio.Event(), asyncio.Event()
    build = asyncio.create_task(model.get(USCC))
    await state.paused.wait()  # the build has read the old data
    async with model.sessionmaker() as session:
        await change(session)
        await session.flush()
        if commit_before_store:
            await session.commit()
            state.pause.set()
            built = orjson.loads(await build)
        else:
            state.pause.set()
            await asyncio.sleep(0.2)  # the build reaches its store and waits for this writer (not asserted on)
            await session.commit()
            built = orjson.loads(await build)
    state.pause = None
    return built


async def _rename(session) -> None:
    (await session.get(Org, USCC)).name = "并发更名"


async def _new_rule(session) -> None:
    session.add(Rule(key="motto", value="并发规则"))


@pytest.mark.parametrize("commit_before_store", [True, False])
@pytest.mark.parametrize("existing_row", [False, True])
async def test_a_build_raced_by_a_change_is_never_stored(model: ReadModel, commit_before_store: bool,
                                                         existing_row: bool) -> None:
    if existing_row:
        await view(model)
        model.state.today = date(2026, 11, 24)  # the stored one is from yesterday: this read rebuilds
    built = await _raced(model, _rename, commit_before_store=commit_before_store)
    assert built["name"] == "温州市甲协会"  # the racing build itself saw the data as it read it
    assert (await view(model))["name"] == "并发更名"


@pytest.mark.parametrize("commit_before_store", [True, False])
async def test_a_build_raced_by_a_change_that_voids_everything_is_never_served(model: ReadModel,
                                                                              commit_before_store: bool) -> None:
    await _raced(model, _new_rule, commit_before_store=commit_before_store)
    assert (await view(model))["motto"] == "并发规则"


@pytest.mark.skipif(backend() != "sqlite", reason="SQLite's one writer per file; on PostgreSQL the store waits only "
                    "for a transaction writing the same fragment row")
@pytest.mark.parametrize("changed", [False, True], ids=["kept", "changed meanwhile"])
async def test_a_build_while_the_writer_is_busy_answers_at_once_and_stores_after_it(model: ReadModel,
                                                                                   changed: bool) -> None:
    """A cold read while another transaction of the process holds the SQLite file's one writer (a consumer's batch)
    answers without waiting for it; the fragment is stored once the writer is free, unless that transaction changed
    the organisation (then the next read builds again)."""
    async with model.sessionmaker() as writer, writer.begin():
        writer.add(Audit(uscc=OTHER))
        await writer.flush()  # the writer is this transaction's until it ends
        # Before, the build waited here for the writer: until the busy timeout, which this bound is well under.
        first = orjson.loads(await asyncio.wait_for(model.get(USCC), timeout=10))
        assert first["name"] == "温州市甲协会"
        assert (model.builds, model.stored) == (1, 0) and await stored(model) is None
        if changed:
            await _rename(writer)
    await model.stored_later()
    assert model.stored == (0 if changed else 1)
    again = await view(model)
    assert again["name"] == ("并发更名" if changed else "温州市甲协会")
    assert model.builds == (2 if changed else 1)
    if not changed:
        assert await stored(model) == orjson.dumps(again) or orjson.loads(await stored(model)) == again


@pytest.mark.skipif(backend() != "sqlite", reason="SQLite's one writer per file")
async def test_with_writers_in_another_process_a_build_answers_while_they_hold_the_file(model: ReadModel) -> None:
    """`runs=api`: this service's consumers write the file from their own process, whose hold on the writer cannot be
    seen from here, so no read waits for it: the build answers, and the background storer stores it once the other
    process has committed."""
    apart = ReadModel(FRAGMENTS, FRAGMENT, model.engine, model.sessionmaker, model.state, writers_elsewhere=True)
    await apart.start()
    other_process = sqlite3.connect(sqlite_path(model.engine), isolation_level=None)
    try:
        other_process.execute("BEGIN IMMEDIATE")  # the file's one writer, held by another connection
        other_process.execute("INSERT INTO audit (uscc) VALUES (?)", (OTHER,))
        # Before, the store waited here in SQLite's busy handler: until the busy timeout, well over this bound.
        first = orjson.loads(await asyncio.wait_for(apart.get(USCC), timeout=10))
        assert first["name"] == "温州市甲协会" and (apart.builds, apart.stored) == (1, 0)
        other_process.execute("COMMIT")
        await apart.stored_later()
        assert apart.stored == 1 and orjson.loads(await stored(apart)) == first
        assert orjson.loads(await apart.get(USCC)) == first and (apart.builds, apart.reads) == (1, 1)
    finally:
        other_process.close()
        await apart.close()


# --- the fast lane -----------------------------------------------------------------------------------------------

def lane_app(rm: ReadModel, front: bool = False) -> FastAPI:
    """As every service assembles it (yishe_kit.app): the gate verifies the caller outside the lane; with `front`,
    the front lane answers the gateway's reads before the whole stack (`app.stack_calls` counts what reached it)."""
    app = FrontedApp()
    install_handlers(app)

    @app.get("/v1/orgs/{uscc}")
    async def normal_route(uscc: str, request: Request) -> OrgView:
        async with rm.sessionmaker() as session:
            return await org_view(rm.state, session, uscc)

    app.state.read_model = rm
    app.add_middleware(FragmentLane, state=app.state, path="/v1/orgs/")
    verifier = verifier_for("test", AssertionSettings(public_key=key_pair_for_tests()[1]))
    app.add_middleware(AssertionGate, verifier=verifier)
    app.state.stack_calls = 0

    @app.middleware("http")
    async def count(request: Request, call_next):  # outermost of the stack: every request the front lane passed on
        app.state.stack_calls += 1
        return await call_next(request)

    if front:
        app.state.metrics = Metrics("test")
        app.front = FrontFragmentLane(app.state, "/v1/orgs/", verifier, app.state.metrics)
    return app


GATEWAY = {"X-Yishe-Role": "internal", "X-Yishe-Actor": "gateway", "X-Request-ID": "req-1"}


@pytest.mark.parametrize("front", [False, True], ids=["lane", "front lane"])
async def test_the_lane_serves_the_gateway_from_the_model_and_everyone_else_from_the_route(model: ReadModel,
                                                                                           front: bool) -> None:
    app = lane_app(model, front)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t",
                                 event_hooks={"request": [assertion_hook("test")]}) as client:
        fast = await client.get(f"/v1/orgs/{USCC}", headers=GATEWAY)
        assert fast.status_code == 200 and fast.headers["x-request-id"] == "req-1"
        assert model.builds == 1
        assert app.state.stack_calls == (0 if front else 1)
        normal = await client.get(f"/v1/orgs/{USCC}", headers={**GATEWAY, "X-Yishe-Actor": "someone"})
        query = await client.get(f"/v1/orgs/{USCC}?x=1", headers=GATEWAY)
        assert model.builds == 1  # neither came through the lane
        assert fast.content == normal.content == query.content  # the same bytes as FastAPI's own rendering
        missing = await client.get("/v1/orgs/51330300MJ8A2T0132", headers=GATEWAY)
        routed = await client.get("/v1/orgs/51330300MJ8A2T0132")
        assert missing.status_code == routed.status_code == 404
        assert missing.json() == routed.json()
        assert missing.headers["content-type"] == "application/problem+json"
        calls = app.state.stack_calls
        forged = await client.get(f"/v1/orgs/{USCC}", headers={"X-Yishe-Assertion": "not-a-token"})
        assert forged.status_code == 401  # the gate's answer: the front lane serves no caller the gate refuses
        assert app.state.stack_calls == calls + 1
    if front:  # the lane's answers are counted under the route's template, as the stack's would be
        samples = {(s.labels["route"], s.labels["status"]): s.value
                   for metric in app.state.metrics.registry.collect() for s in metric.samples
                   if s.name.endswith("_count") and s.labels.get("method") == "GET"}
        assert samples[("/v1/orgs/{uscc}", "200")] == 1 and samples[("/v1/orgs/{uscc}", "404")] == 1


@pytest.mark.parametrize("front", [False, True], ids=["lane", "front lane"])
async def test_the_gateway_reads_several_fragments_in_one_request(model: ReadModel, front: bool) -> None:
    """BATCH_PATH: each code's [status, body], the same bytes as its single read; an unknown code gets its own 404
    problem without failing the rest; on PostgreSQL the stored ones come in one query; callers other than the
    gateway are not served from the read model, and a malformed query is a 400 naming USCC-1."""
    app = lane_app(model, front)
    unknown = "51330300MJ8A2T0132"
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t",
                                 event_hooks={"request": [assertion_hook("test")]}) as client:
        single = {u: (await client.get(f"/v1/orgs/{u}", headers=GATEWAY)) for u in (USCC, OTHER, unknown)}
        queries = model._pg.queries if model._pg is not None else 0
        calls, builds = app.state.stack_calls, model.builds
        batch = await client.get(f"{BATCH_PATH}?uscc={USCC},{unknown},{OTHER},{USCC}", headers=GATEWAY)
        assert batch.status_code == 200 and batch.headers["x-request-id"] == "req-1"
        assert app.state.stack_calls == calls + (0 if front else 1)
        answers = orjson.loads(batch.content)
        assert list(answers) == [USCC, unknown, OTHER]  # each code once, in the order asked
        for uscc, (status, body) in answers.items():
            assert status == single[uscc].status_code
            assert body == single[uscc].json()
        assert answers[unknown][1]["code"] == "org_not_found"
        if model._pg is not None:
            assert model._pg.queries == queries + 1  # the two stored fragments in one query
        assert model.builds == builds + 1  # only the unknown code is tried again: the others were stored
        someone = await client.get(f"{BATCH_PATH}?uscc={USCC}", headers={**GATEWAY, "X-Yishe-Actor": "someone"})
        assert someone.status_code == 404  # not the gateway: no such route for anyone else
        for bad in ("uscc=", f"uscc={USCC},51330300MJ8A2T011", f"uscc={USCC.replace('M', 'O')}", "codes=" + USCC):
            refused = await client.get(f"{BATCH_PATH}?{bad}", headers=GATEWAY)
            assert refused.status_code == 400, bad
            assert refused.json()["errors"][0]["rule"] == "USCC-1"
    many = ",".join(f"51330300MJ8A2T{n:04d}" for n in range(BATCH_MAX + 1))
    with pytest.raises(ServiceError):
        batch_usccs(f"uscc={many}".encode())
    assert len(batch_usccs(f"uscc={many[:many.rindex(',')]}".encode())) == BATCH_MAX


async def test_one_organisations_failing_build_answers_for_that_organisation_alone(model: ReadModel) -> None:
    """A batch read: a view that fails for one organisation (a bug, not the database) gives that code a 503 of its
    own; the others in the same read are answered."""

    async def failing_for_other(state: State, session, uscc: str) -> OrgView:
        if uscc == OTHER:
            raise RuntimeError("a bug in one organisation's view")
        return await org_view(state, session, uscc)

    fragments = Fragments(path=FRAGMENTS.path, view=failing_for_other, today=FRAGMENTS.today, ignore=FRAGMENTS.ignore)
    rm = ReadModel(fragments, FRAGMENT, model.engine, model.sessionmaker, model.state)
    await rm.start()
    try:
        good, failed = await rm.get_many([USCC, OTHER])
    finally:
        await rm.close()
    assert orjson.loads(good)["name"] == "温州市甲协会"
    assert isinstance(failed, ServiceError) and failed.status == 503


async def test_a_related_table_without_uscc_voids_the_organisations_it_maps_to(model: ReadModel) -> None:
    """`Fragments.related`: a uscc-less input maps each changed row to its organisations (here: a rule per org)."""
    related = Fragments(path=FRAGMENTS.path, view=org_view, today=FRAGMENTS.today, ignore=FRAGMENTS.ignore,
                        related={"rule": lambda row: [row.key] if row.key in (USCC, OTHER) else []})
    assert FRAGMENTS.undeclared(metadata) == ["rule"] and related.undeclared(metadata) == []
    sessions = make_sessionmaker(model.engine, listening_session_class(related, FRAGMENT))
    await view(model)
    await view(model, OTHER)
    async with sessions() as session, session.begin():
        session.add(Rule(key=USCC, value="只影响甲"))
    await view(model, OTHER)
    assert model.builds == 2  # OTHER's fragment stayed good
    await view(model)
    assert model.builds == 3
