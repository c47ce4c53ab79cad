"""Gateway fixtures: its own migrated store, the four real services as real uvicorn servers (real NATS, migrated
databases), an echo upstream that reports what it received, and the gateway pointed at them through its lifespan."""

from __future__ import annotations

import asyncio
import contextlib
import importlib
import os
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import AsyncExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from fastapi import FastAPI, Request, Response

from yishe_gateway.config import Settings, Upstreams
from yishe_gateway.identity import admin, tokens
from yishe_gateway.identity.admin import IssuedKey
from yishe_gateway.identity.service import claims_of
from yishe_gateway.identity.signing import signed_headers
from yishe_gateway.main import create_app
from yishe_kit.tasks import stop as stop_tasks
from yishe_kit.testing import MigratedDatabases, free_port

SERVICES = ("registry", "credit", "procurement", "party", "cultivation")
# Each test's gateway counts its own rate limits (the tests share one NATS per module); the shared counters (EDGE-5,
# the default) are tested on their own in edge/test_ratelimit_shared.py.
os.environ.setdefault("GATEWAY_RATE_LIMIT__STORAGE_URI", "memory://")
GATEWAY_DIR = Path(__file__).resolve().parents[1]
PASSWORD = "correct horse battery"


class _Server(uvicorn.Server):
    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        # Several servers share the test process: none may take over (and later restore) its signal handlers.
        yield


@dataclass
class Running:
    server: _Server
    task: asyncio.Task
    url: str

    async def stop(self) -> None:
        """Graceful first; a server still waiting on a kept-alive connection after 10 s is forced (then stopped as
        yishe_kit.tasks.stop does), so a test's teardown is bounded."""
        self.server.should_exit = True
        done, _ = await asyncio.wait({self.task}, timeout=10)
        if not done:
            self.server.force_exit = True
            done, _ = await asyncio.wait({self.task}, timeout=10)
        if not done:
            await stop_tasks(self.task)


async def serve(app: FastAPI, timeout: float = 15.0) -> Running:
    """Run `app` under a real uvicorn server on a free port in this event loop; return once it listens."""
    port = free_port()
    server = _Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on"))
    task = asyncio.create_task(server.serve())
    deadline = time.monotonic() + timeout
    while not server.started:
        if task.done():
            task.result()
            raise RuntimeError("uvicorn stopped before it started")
        if time.monotonic() > deadline:
            server.should_exit = True
            raise TimeoutError(f"uvicorn did not start within {timeout}s")
        await asyncio.sleep(0.01)
    return Running(server, task, f"http://127.0.0.1:{port}")


def dead_url() -> str:
    """A URL nothing listens on (connection refused)."""
    return f"http://127.0.0.1:{free_port()}"


@pytest.fixture(scope="session")
def gateway_databases() -> Iterator[MigratedDatabases]:
    yield MigratedDatabases("gateway", GATEWAY_DIR)  # dropped at the session's end (root conftest)


@pytest.fixture
def gateway_db(gateway_databases: MigratedDatabases) -> str:
    """A fresh migrated gateway store (sync fixture: alembic must not run inside the event loop)."""
    return gateway_databases.fresh_url()


@pytest.fixture
def make_settings(gateway_db: str) -> Callable[..., Settings]:
    def make(**overrides: Any) -> Settings:
        # Each test's audit chain starts afresh: its checkpoints on their own subject of the module's NATS.
        return Settings(**{"db": {"url": gateway_db}, "events_enabled": False,
                           "audit": {"checkpoint_subject": f"audit.test-{uuid.uuid4().hex[:12]}"}, **overrides})

    return make


@contextlib.asynccontextmanager
async def gateway_client(settings: Settings) -> AsyncIterator[tuple[FastAPI, httpx.AsyncClient]]:
    app = create_app(settings)
    transport = httpx.ASGITransport(app=app)
    async with app.router.lifespan_context(app), httpx.AsyncClient(transport=transport,
                                                                   base_url="http://gateway") as client:
        yield app, client


@dataclass
class Stack:
    """The four services, each on its own port, and a client on the gateway in front of them."""

    gateway: httpx.AsyncClient
    app: FastAPI
    staff: dict[str, str]
    services: dict[str, Running] = field(default_factory=dict)

    async def stop(self, service: str) -> None:
        await self.services[service].stop()


@pytest.fixture
def service_db_urls(migrated) -> dict[str, str]:
    # Sync fixture: the first `migrated(...)` runs alembic, which must not run inside the event loop.
    return {name: migrated(name).fresh_url() for name in SERVICES}


def service_app(name: str, db_url: str, nats_url: str, **overrides: Any) -> FastAPI:
    config = importlib.import_module(f"yishe_{name}.config")
    main = importlib.import_module(f"yishe_{name}.main")
    return main.create_app(config.Settings(db={"url": db_url}, nats={"url": nats_url}, **overrides))


@pytest.fixture
async def start_stack(service_db_urls, nats_server, make_settings) -> AsyncIterator[Callable[..., Awaitable[Stack]]]:
    """`await start_stack(registry={"relay": {"enabled": False}}, gateway={...})`: overrides per Settings."""
    async with AsyncExitStack() as exits:

        async def start(**overrides: dict[str, Any]) -> Stack:
            running: dict[str, Running] = {}
            exits.push_async_callback(_stop_all, running)
            for name in SERVICES:
                app = service_app(name, service_db_urls[name], nats_server.url, **overrides.get(name, {}))
                running[name] = await serve(app)
            settings = make_settings(**{
                "upstreams": Upstreams(**{n: r.url for n, r in running.items()}), "upstream_timeout_seconds": 5.0,
                "public_base_url": "https://code.example.gov.cn", "events_enabled": True,
                "nats": {"url": nats_server.url}, **overrides.get("gateway", {})})
            app, client = await exits.enter_async_context(gateway_client(settings))
            staff = bearer(await user_token(app, "staff"))
            return Stack(gateway=client, app=app, staff=staff, services=running)

        yield start


async def _stop_all(running: dict[str, Running]) -> None:
    # Concurrently: each uvicorn notices `should_exit` only on its next 0.1 s tick.
    await asyncio.gather(*[r.stop() for r in running.values() if not r.task.done()])


@pytest.fixture
async def stack(start_stack) -> Stack:
    return await start_stack()


# --- accounts, tokens, system clients, signed requests ----------------------------------------------------

async def user_token(app: FastAPI, role: str, division: str = "", org_uscc: str | None = None,
                     username: str | None = None) -> str:
    async with app.state.sessionmaker() as session, session.begin():
        user = await admin.create_user(session, username=username or f"u-{uuid.uuid4().hex[:10]}",
                                       password=PASSWORD, role=role, division=division, org_uscc=org_uscc)
    token, _ = tokens.issue(app.state.settings.jwt, claims_of(user))
    return token


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def system_client(app: FastAPI, role: str = "staff", division: str = "", rate_limit: str | None = None,
                        ) -> IssuedKey:
    async with app.state.sessionmaker() as session, session.begin():
        return await admin.create_client(session, app.state.settings, name=f"部门系统-{uuid.uuid4().hex[:8]}",
                                         role=role, division=division, rate_limit=rate_limit)


def signed(key: IssuedKey, method: str, path: str, query: str = "", body: bytes = b"", **kw) -> dict[str, str]:
    return signed_headers(key.app_key, key.secret, method, path, query, body, **kw)


class Auth:
    """The helpers above as one fixture, for test modules (which cannot import conftest)."""

    PASSWORD = PASSWORD
    token = staticmethod(user_token)
    bearer = staticmethod(bearer)
    client = staticmethod(system_client)
    signed = staticmethod(signed)


@pytest.fixture
def auth() -> type[Auth]:
    return Auth


class Servers:
    """`serve(app)` and `gateway_client(settings)` for test modules (which cannot import conftest)."""

    serve = staticmethod(serve)
    gateway = staticmethod(gateway_client)


@pytest.fixture
def servers() -> type[Servers]:
    return Servers


# --- an upstream that answers with what it received -------------------------------------------------------

echo_app = FastAPI()


@echo_app.api_route("/{path:path}", methods=["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"])
async def echo(path: str, request: Request) -> Response:
    if path == "slow":
        await asyncio.sleep(3.0)
    if path.startswith("status/"):
        return Response("状态".encode(), status_code=int(path.split("/")[1]), media_type="text/plain; charset=utf-8")
    body = await request.body()
    return _json({
        "method": request.method, "raw_path": request.scope["raw_path"].decode("latin-1"),
        "query": request.url.query, "headers": [[k.decode("latin-1"), v.decode("latin-1")]
                                                 for k, v in request.scope["headers"]],
        "body": body.decode("utf-8"),
    })


def _json(data: Any) -> Response:
    import orjson

    return Response(orjson.dumps(data), media_type="application/json")


@pytest.fixture
async def echo_upstream() -> AsyncIterator[Running]:
    running = await serve(echo_app)
    yield running
    await running.stop()


@pytest.fixture
async def echo_gateway(echo_upstream: Running, make_settings) -> AsyncIterator[tuple[FastAPI, httpx.AsyncClient]]:
    """The gateway with every service pointing at the echo upstream; a timeout short enough for the slow path (3 s)
    and long enough for an answer on a loaded CI machine (a 0.3 s timeout flaked a chunked-body test)."""
    upstreams = Upstreams(**dict.fromkeys(SERVICES, echo_upstream.url))
    async with gateway_client(make_settings(upstreams=upstreams, upstream_timeout_seconds=1.0,
                                            proxy_timeout_seconds=1.0)) as pair:
        yield pair


@pytest.fixture
async def dead_gateway(make_settings) -> AsyncIterator[tuple[FastAPI, httpx.AsyncClient]]:
    """The gateway with no service listening anywhere."""
    upstreams = Upstreams(**{name: dead_url() for name in SERVICES})
    async with gateway_client(make_settings(upstreams=upstreams, signing_key="test-key")) as pair:
        yield pair


# --- registering through the gateway ---------------------------------------------------------------------

# The registry refuses a name that does not start with its division's name (REG-6); the default name follows it.
DIVISION_NAMES = importlib.import_module("yishe_registry.config").WENZHOU_DIVISIONS
ID_NUMBER = "11010519491231002X"


def registration(name: str, division_code: str, id_number: str = ID_NUMBER) -> dict[str, Any]:
    """A valid direct registration, with the rules the registry applies to it as to an application (issue 12):
    members and funds (REG-1), a direct-registration category (REG-8), the legal representative's ID number (REG-2;
    a test registering a second group gives another). Each gateway test uses its own division code: NATS outlives
    a test, so an event another test left unconsumed must never carry one of this test's codes."""
    return {
        "name": name,
        "org_type": "社会团体",
        "division_code": division_code,
        "category": "公益慈善类",
        "address": "温州市鹿城区人民路1号",
        "legal_representative": {"name": "张三", "id_number": id_number, "phone": "13800138000"},
        "business_scope": "志愿服务、社区公益",
        "individual_members": 60,
        "activity_funds": "50000.00",
        "acknowledge_similar": True,
        "party_members": {"full_count": 2, "probationary_count": 0,
                          "members": [{"name": "李四", "status": "正式党员"}]},
    }


@pytest.fixture
def register() -> Callable[..., Awaitable[str]]:
    async def post(stack: Stack, division_code: str, name: str | None = None,
                   headers: dict[str, str] | None = None, id_number: str = ID_NUMBER) -> str:
        name = name or f"{DIVISION_NAMES.get(division_code, '温州市')}青年志愿者协会"
        resp = await stack.gateway.post("/api/registry/v1/organisations",
                                        json=registration(name, division_code, id_number),
                                        headers={**stack.staff, **(headers or {})})
        assert resp.status_code == 201, resp.text
        return resp.json()["uscc"]

    return post


# --- fake services: the four upstream read endpoints from memory, counting calls ---------------------------

FAKE_PATHS = {"registry": "organisations", "credit": "profiles", "party": "records", "procurement": "bidders",
              "cultivation": "facts"}


def new_uscc(division_code: str = "330302") -> str:
    """A valid social-organisation USCC no other test uses (random body, correct check characters)."""
    from yishe_contracts.identifiers import encode_sequence, make_uscc

    body8 = "G" + encode_sequence(uuid.uuid4().int % 31**7, 7)
    return make_uscc(category="1", division_code=division_code, body8=body8)


def org_bodies(uscc: str, *, name: str = "温州市鹿城区海韵公益服务中心", colour: str = "green",
               list_entries: list | None = None) -> dict[str, dict]:
    """What each service answers the gateway (asked as `internal`: personal data in full)."""
    return {
        "registry": {
            "uscc": uscc, "name": name, "org_type": "社会团体", "division_code": uscc[2:8],
            "address": "温州市鹿城区五马街88号", "business_scope": "社区公益服务",
            "legal_representative": {"name": "王五", "id_number": "11010519491231002X", "phone": "13912345678"},
            "supervisory_unit": None, "status": "active", "registration_date": "2026-01-15",
            "registered_at": "2026-01-15T02:00:00+00:00", "party_full_members": 4, "party_probationary_members": 1,
            "grade": "4A", "contact_phone": "0577-88889999", "risk_note": "内部风险提示",
        },
        "credit": {
            "uscc": uscc, "colour": colour, "colour_rule": "CODE-3",
            "colour_reason": "无异常信用记录" if colour == "green" else "列入活动异常名录：未按规定报送年度工作报告",
            "abnormal_listed": colour == "orange", "serious_listed": False, "list_entries": list_entries or [],
            "opened_at": "2026-01-15T02:00:01+00:00",
            "colour_history": [{"from_colour": None, "to_colour": "green", "rule": "CODE-3", "reason": "开立",
                                "at": "2026-01-15T02:00:01+00:00"}],
        },
        "party": {
            "uscc": uscc, "route": "own_organisation", "route_rule": "PARTY-1", "route_label": "单独建立党组织",
            "capture_task_status": "open", "capture_task_due": "2026-02-14", "opened_at": "2026-01-15T02:00:02Z",
            "full_members": 4, "probationary_members": 1,
            "members": [{"name": "赵六", "status": "正式党员", "id_number": "11010519491231002X",
                         "phone": "13800001111"}],
        },
        "procurement": {"uscc": uscc, "name": name, "may_bid": True, "problems": [], "contracts": 2,
                        "updated_at": "2026-01-15T02:00:03Z"},
        "cultivation": {"uscc": uscc, "community": False, "township_code": None, "platform": None, "activity": None,
                        "incubation": [], "rewards": [{"grade": "4A", "amount": "20000.00", "status": "paid",
                                                       "awarded_on": "2026-01-15"}]},
    }


@dataclass
class FakeServices:
    url: str = ""
    bodies: dict[str, dict[str, dict]] = field(default_factory=lambda: {s: {} for s in FAKE_PATHS})
    calls: dict[str, int] = field(default_factory=lambda: dict.fromkeys(FAKE_PATHS, 0))
    failing: set[str] = field(default_factory=set)
    slow: dict[str, float] = field(default_factory=dict)
    seen_headers: list[dict[str, str]] = field(default_factory=list)
    in_flight: dict[str, int] = field(default_factory=lambda: dict.fromkeys(FAKE_PATHS, 0))
    peak: dict[str, int] = field(default_factory=lambda: dict.fromkeys(FAKE_PATHS, 0))

    def add(self, uscc: str, **kw: Any) -> dict[str, dict]:
        bodies = org_bodies(uscc, **kw)
        for source, body in bodies.items():
            self.bodies[source][uscc] = body
        return bodies

    def app(self) -> FastAPI:
        app = FastAPI()
        for source, collection in FAKE_PATHS.items():
            app.add_api_route(f"/v1/{collection}/{{uscc}}", self._handler(source), methods=["GET"])
        return app

    def _handler(self, source: str):
        async def handle(uscc: str, request: Request) -> Response:
            self.calls[source] += 1
            self.seen_headers.append(dict(request.headers))
            self.in_flight[source] += 1
            self.peak[source] = max(self.peak[source], self.in_flight[source])
            try:
                if source in self.slow:
                    await asyncio.sleep(self.slow[source])
            finally:
                self.in_flight[source] -= 1
            if source in self.failing:
                return Response(b'{"detail":"boom"}', status_code=500, media_type="application/json")
            body = self.bodies[source].get(uscc)
            return _json(body) if body is not None else Response(b'{"code":"not_found"}', status_code=404,
                                                                 media_type="application/json")
        return handle


@pytest.fixture
async def fake() -> AsyncIterator[FakeServices]:
    services = FakeServices()
    running = await serve(services.app())
    services.url = running.url
    yield services
    await running.stop()


@pytest.fixture
async def start_gateway(fake, make_settings, nats_server) -> AsyncIterator[Callable[..., Awaitable[tuple]]]:
    """`app, client = await start_gateway(**settings)`: the gateway on the fake services (NATS only when
    `events_enabled=True` is passed)."""
    async with AsyncExitStack() as exits:

        async def start(**overrides: Any) -> tuple[FastAPI, httpx.AsyncClient]:
            # A generous default timeout: these tests are about failures the fake reports, not about slowness, and
            # a loaded CI machine must not turn a slow answer into a spurious "unavailable".
            settings = make_settings(**{"upstreams": Upstreams(**dict.fromkeys(FAKE_PATHS, fake.url)),
                                        "nats": {"url": nats_server.url}, "upstream_timeout_seconds": 5.0,
                                        **overrides})
            return await exits.enter_async_context(gateway_client(settings))

        yield start


@pytest.fixture
async def gw(start_gateway) -> tuple[FastAPI, httpx.AsyncClient]:
    """The gateway on the fake services, without NATS."""
    return await start_gateway()


@pytest.fixture
def make_uscc() -> Callable[..., str]:
    """`make_uscc("330303")`: a valid social-organisation USCC no other test uses."""
    return new_uscc


@pytest.fixture
async def serve_app() -> AsyncIterator[Callable[[FastAPI], Awaitable[Running]]]:
    """`running = await serve_app(app)`: the app on a real port (lifespan included), stopped after the test."""
    started: list[Running] = []

    async def start(app: FastAPI) -> Running:
        running = await serve(app)
        started.append(running)
        return running

    yield start
    await asyncio.gather(*[r.stop() for r in started])


@pytest.fixture
async def events_gateway(start_gateway) -> tuple[FastAPI, httpx.AsyncClient]:
    """The gateway on the fake services, consuming events from the test NATS (connected before it is returned)."""
    from yishe_kit.testing import eventually

    app, client = await start_gateway(events_enabled=True, cache={"settle_seconds": 0},
                                      webhooks={"poll_seconds": 0.2, "backoff_base_seconds": 0.1})

    async def connected() -> bool:
        return app.state.bus.connected and app.state.invalidation.listening.is_set()

    await eventually(connected)
    return app, client


def registered_event(uscc: str, *, name: str = "温州市鹿城区海韵公益服务中心", full: int = 3):
    """An `OrganisationRegistered` as the registry publishes it, with captured Party members (personal data)."""
    from datetime import UTC, datetime

    from yishe_contracts.events.registry import OrganisationRegistered, PartyMemberCaptured
    from yishe_kit.clock import today as business_today

    return OrganisationRegistered(
        uscc=uscc, name=name, org_type="社会团体", division_code=uscc[2:8], address="温州市鹿城区五马街88号",
        legal_representative="王五", business_scope="社区公益服务", registered_at=datetime.now(UTC),
        registration_date=business_today(), party_full_members=full, party_probationary_members=0,
        party_members=[PartyMemberCaptured(name="赵六", status="正式党员", id_number="11010519491231002X",
                                           phone="13800001111")])


@pytest.fixture
def publish(nats_server) -> Callable[..., Awaitable[Any]]:
    """`await publish(event, at=datetime, source="registry")`: as the owner's relay would (time overridable)."""
    from yishe_contracts.envelope import Envelope
    from yishe_kit.testing import publish_envelope

    async def send(event: Any, *, at: Any = None, source: str | None = None, correlation_id: str | None = None):
        envelope = Envelope.wrap(event, source=source or event.subject_name.split(".")[0],
                                 correlation_id=correlation_id)
        if at is not None:
            envelope = envelope.model_copy(update={"time": at})
        await publish_envelope(nats_server.url, envelope)
        return envelope

    return send


@pytest.fixture
def registered() -> Callable[..., Any]:
    return registered_event
