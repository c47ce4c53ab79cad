"""`Idempotency-Key` on a service's POSTs (yishe_kit.idempotency, issue 12): a real app built by the kit on a real
database (SQLite, or PostgreSQL with YISHE_TEST_BACKEND=postgres), real NATS."""

from __future__ import annotations

import asyncio
import hashlib
import uuid
from datetime import timedelta

import pytest
from fastapi import APIRouter
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlalchemy import Column, String, Table, func, insert, select

from yishe_kit.app import create_service_app
from yishe_kit.db import SessionDep, make_engine, new_metadata
from yishe_kit.errors import Conflict
from yishe_kit.idempotency import HEADER
from yishe_kit.principal import PrincipalDep
from yishe_kit.settings import ServiceSettings
from yishe_kit.testing import _pg, create_pg_database, running_client
from yishe_kit.testing import test_backend as backend

metadata = new_metadata(idempotency=True)
thing = Table("thing", metadata, Column("thing_id", String(36), primary_key=True), Column("name", String(100)),
              Column("made_by", String(100)))
keys = metadata.tables["idempotency_key"]


class ThingIn(BaseModel):
    name: str


class ThingOut(BaseModel):
    thing_id: str
    name: str


router = APIRouter(tags=["thing"])
gate: dict[str, asyncio.Event] = {}


@router.post("/things", status_code=201, response_model=ThingOut)
async def create_thing(body: ThingIn, session: SessionDep, principal: PrincipalDep) -> ThingOut:
    if body.name == "taken":
        raise Conflict("name_taken", "the name is taken")
    thing_id = str(uuid.uuid4())
    await session.execute(insert(thing).values(thing_id=thing_id, name=body.name, made_by=principal.actor))
    if body.name == "slow":
        gate["entered"].set()
        await gate["release"].wait()
    if body.name == "boom":
        await session.flush()
        raise RuntimeError("after the write, before the answer")
    if body.name == "answered":  # a route that answers a refusal itself (no exception): its writes stand, as always
        return JSONResponse({"code": "noted"}, status_code=400)  # type: ignore[return-value]
    return ThingOut(thing_id=thing_id, name=body.name)


@router.patch("/things/{thing_id}", response_model=ThingOut)
async def rename_thing(thing_id: str, body: ThingIn, session: SessionDep) -> ThingOut:
    """A PATCH that also writes a history row each time it runs (as the services' changes do)."""
    from sqlalchemy import update

    await session.execute(update(thing).where(thing.c.thing_id == thing_id).values(name=body.name))
    await session.execute(insert(thing).values(thing_id=str(uuid.uuid4()), name=f"history:{body.name}"))
    return ThingOut(thing_id=thing_id, name=body.name)


class KitSettings(ServiceSettings):
    service_name: str = "kit"


@pytest.fixture
async def db_url(tmp_path):
    if backend() == "postgres":
        name = f"yishe_test_kit_{uuid.uuid4().hex[:12]}"
        url = create_pg_database(name)
    else:
        name, url = None, f"sqlite+aiosqlite:///{tmp_path / 'kit.db'}"
    engine = make_engine(url)
    async with engine.begin() as conn:
        await conn.run_sync(metadata.create_all)
    await engine.dispose()
    yield url
    if name:
        _pg([f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'])


def make_app(url: str, nats_url: str, **idempotency):
    from yishe_kit.testing import key_pair_for_tests

    settings = KitSettings(db={"url": url}, nats={"url": nats_url}, relay={"enabled": False},
                           assertion={"public_key": key_pair_for_tests()[1]}, idempotency=idempotency)
    return create_service_app(settings=settings, title="kit", metadata=metadata, routers=[router])


@pytest.fixture
async def app(db_url, nats_server):
    return make_app(db_url, nats_server.url)


@pytest.fixture
async def client(app):
    async for c in running_client(app):
        yield c


STAFF = {"X-Yishe-Role": "staff", "X-Yishe-Actor": "u1"}


async def count(app, table: Table) -> int:
    async with app.state.sessionmaker() as session:
        return int((await session.execute(select(func.count()).select_from(table))).scalar_one())


async def test_the_same_key_and_body_returns_the_first_answer_and_creates_once(app, client) -> None:
    """IDEM-1: a caller whose answer was lost sends the request again with its key: the first answer (status and
    body), marked replayed; the thing exists once."""
    headers = {**STAFF, HEADER: "k-1"}
    first = await client.post("/v1/things", json={"name": "甲"}, headers=headers)
    again = await client.post("/v1/things", json={"name": "甲"}, headers=headers)
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert again.headers["idempotent-replayed"] == "true" and "idempotent-replayed" not in first.headers
    assert again.headers["content-type"] == first.headers["content-type"]
    assert await count(app, thing) == 1
    # Without a key: today's behaviour, a second thing.
    await client.post("/v1/things", json={"name": "甲"}, headers=STAFF)
    assert await count(app, thing) == 2


async def test_the_same_key_with_another_body_is_a_422_naming_the_header(app, client) -> None:
    """IDEM-2: a key reused for another request is refused, naming the header and the rule; nothing is created."""
    headers = {**STAFF, HEADER: "k-2"}
    assert (await client.post("/v1/things", json={"name": "乙"}, headers=headers)).status_code == 201
    resp = await client.post("/v1/things", json={"name": "丙"}, headers=headers)
    assert resp.status_code == 422
    problem = resp.json()
    assert problem["code"] == "idempotency_key_reused"
    assert problem["errors"][0]["field"] == HEADER and problem["errors"][0]["rule"] == "IDEM-2"
    assert await count(app, thing) == 1


async def test_a_key_is_the_callers_own(app, client) -> None:
    """IDEM-1: the key is scoped to the caller the gateway vouched for: another actor's same key runs on its own."""
    body = {"name": "丁"}
    a = await client.post("/v1/things", json=body, headers={**STAFF, HEADER: "shared"})
    b = await client.post("/v1/things", json=body, headers={"X-Yishe-Role": "staff", "X-Yishe-Actor": "u2",
                                                            HEADER: "shared"})
    assert a.status_code == b.status_code == 201 and a.json() != b.json()
    assert "idempotent-replayed" not in b.headers
    assert await count(app, thing) == 2


async def test_a_second_request_while_the_first_runs_is_a_409(app, client) -> None:
    """IDEM-3: the same key while the first request is still being processed: 409, and the first completes once."""
    gate["entered"], gate["release"] = asyncio.Event(), asyncio.Event()
    headers = {**STAFF, HEADER: "k-3"}
    first = asyncio.create_task(client.post("/v1/things", json={"name": "slow"}, headers=headers))
    await asyncio.wait_for(gate["entered"].wait(), 30)
    second = await client.post("/v1/things", json={"name": "slow"}, headers=headers)
    assert second.status_code == 409
    assert second.json()["code"] == "idempotency_key_in_flight"
    assert second.json()["errors"][0]["field"] == HEADER
    gate["release"].set()
    assert (await first).status_code == 201
    replay = await client.post("/v1/things", json={"name": "slow"}, headers=headers)
    assert replay.status_code == 201 and replay.headers["idempotent-replayed"] == "true"
    assert await count(app, thing) == 1


async def test_a_refusal_keeps_nothing_and_a_failure_after_the_write_commits_nothing(app, client) -> None:
    """IDEM-1: only successes are kept (a refusal changed nothing, so its key is free again); the kept answer and the
    state change are one transaction: a failure after the write leaves neither the thing nor the key."""
    headers = {**STAFF, HEADER: "k-4"}
    assert (await client.post("/v1/things", json={"name": "taken"}, headers=headers)).status_code == 409
    assert await count(app, keys) == 0
    with pytest.raises(RuntimeError):
        await client.post("/v1/things", json={"name": "boom"}, headers={**STAFF, HEADER: "k-5"})
    assert await count(app, keys) == 0 and await count(app, thing) == 0
    # The key of the refusal serves another request now.
    assert (await client.post("/v1/things", json={"name": "戊"}, headers=headers)).status_code == 201


async def test_a_refusal_the_route_answers_itself_commits_as_before_and_frees_the_key(app, client) -> None:
    """IDEM-1: a non-2xx answer given without an exception: the request's session commits as it always did (the
    route's own choice), the answer is not kept and the key is free again."""
    headers = {**STAFF, HEADER: "k-10"}
    assert (await client.post("/v1/things", json={"name": "answered"}, headers=headers)).status_code == 400
    assert await count(app, thing) == 1 and await count(app, keys) == 0
    again = await client.post("/v1/things", json={"name": "answered"}, headers=headers)
    assert again.status_code == 400 and "idempotent-replayed" not in again.headers


async def test_the_answer_is_kept_in_the_same_transaction_as_the_state_change(app, client) -> None:
    """IDEM-1: every created thing has its kept answer, committed together (the row is `done` with the body)."""
    resp = await client.post("/v1/things", json={"name": "己"}, headers={**STAFF, HEADER: "k-6"})
    async with app.state.sessionmaker() as session:
        row = (await session.execute(select(keys))).one()
    assert row.state == "done" and row.status == 201 and row.caller == "staff:u1" and row.path == "/v1/things"
    assert row.body == resp.content


def scope_id(key: str, actor: str = "u1") -> str:
    return hashlib.sha256(f"staff\n{actor}\nPOST\n/v1/things\n{key}".encode()).hexdigest()


async def test_an_abandoned_claim_is_taken_over_and_expired_keys_are_purged(db_url, nats_server) -> None:
    """IDEM-3: a claim whose process died (its transaction never committed) blocks its key for `in_flight_seconds`
    only, then the key is taken over; keys past their time are purged and the key works afresh."""
    app = make_app(db_url, nats_server.url, in_flight_seconds=30, ttl_hours=1, purge_interval_seconds=0.001)
    async for client in running_client(app):
        assert (await client.post("/v1/things", json={"name": "庚"}, headers={**STAFF, HEADER: "k-7"})).status_code \
            == 201
        now = app.state.clock.real_now()
        async with app.state.sessionmaker() as session, session.begin():
            await session.execute(keys.update().values(expires_at=now - timedelta(seconds=1)))  # k-7 expired
            for key, age in (("k-8", 31), ("k-9", 1)):  # k-8 abandoned, k-9 still running
                await session.execute(insert(keys).values(
                    scope_id=scope_id(key), key=key, caller="staff:u1", method="POST", path="/v1/things",
                    token="t" * 32, state="running", created_at=now - timedelta(seconds=age),
                    expires_at=now + timedelta(hours=1)))
        again = await client.post("/v1/things", json={"name": "庚"}, headers={**STAFF, HEADER: "k-7"})
        assert again.status_code == 201 and "idempotent-replayed" not in again.headers  # purged: runs afresh
        taken = await client.post("/v1/things", json={"name": "壬"}, headers={**STAFF, HEADER: "k-8"})
        assert taken.status_code == 201
        running = await client.post("/v1/things", json={"name": "癸"}, headers={**STAFF, HEADER: "k-9"})
        assert running.status_code == 409
        async with app.state.sessionmaker() as session:
            rows = {r.key: r for r in (await session.execute(select(keys))).all()}
        assert rows["k-8"].state == "done" and rows["k-8"].token != "t" * 32
        assert await count(app, thing) == 3


async def test_a_malformed_key_is_a_400_naming_the_header(client) -> None:
    resp = await client.post("/v1/things", json={"name": "辛"}, headers={**STAFF, HEADER: "x" * 256})
    assert resp.status_code == 400 and resp.json()["errors"][0]["field"] == HEADER


async def test_the_header_is_in_every_post_of_the_openapi(app) -> None:
    operation = app.openapi()["paths"]["/v1/things"]["post"]
    assert any(p["name"] == HEADER and p["in"] == "header" for p in operation["parameters"])
    patch = app.openapi()["paths"]["/v1/things/{thing_id}"]["patch"]
    assert any(p["name"] == HEADER for p in patch["parameters"]) and {"409", "422"} <= set(patch["responses"])


async def test_a_patch_sent_again_with_its_key_writes_once(app, client) -> None:
    """IDEM-1 on PATCH (PUT, DELETE alike): a change sent twice with its key is done once (one history row, one
    event in the services); another body under the key is IDEM-2's 422."""
    made = (await client.post("/v1/things", json={"name": "甲"}, headers=STAFF)).json()
    headers = {**STAFF, HEADER: "rename-1"}
    first = await client.patch(f"/v1/things/{made['thing_id']}", json={"name": "乙"}, headers=headers)
    again = await client.patch(f"/v1/things/{made['thing_id']}", json={"name": "乙"}, headers=headers)
    assert first.status_code == again.status_code == 200 and again.headers["idempotent-replayed"] == "true"
    assert await count(app, thing) == 2  # the thing and one history row
    other = await client.patch(f"/v1/things/{made['thing_id']}", json={"name": "丙"}, headers=headers)
    assert other.status_code == 422 and other.json()["errors"][0]["field"] == HEADER
