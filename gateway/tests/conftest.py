"""Gateway fixtures: the four real services as real uvicorn servers (real NATS, migrated databases), an echo
upstream that reports what it received, and the gateway pointed at them through its own lifespan."""

from __future__ import annotations

import asyncio
import contextlib
import importlib
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import AsyncExitStack
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
import uvicorn
from fastapi import FastAPI, Request, Response

from yishe_gateway.config import Settings, Upstreams
from yishe_gateway.main import create_app
from yishe_kit.testing import free_port

SERVICES = ("registry", "credit", "procurement", "party")


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
        self.server.should_exit = True
        await self.task


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
async def start_stack(service_db_urls, nats_server) -> AsyncIterator[Callable[..., Awaitable[Stack]]]:
    """`await start_stack(registry={"relay": {"enabled": False}})`: overrides go to that service's Settings."""
    async with AsyncExitStack() as exits:

        async def start(**overrides: dict[str, Any]) -> Stack:
            running: dict[str, Running] = {}
            exits.push_async_callback(_stop_all, running)
            for name in SERVICES:
                app = service_app(name, service_db_urls[name], nats_server.url, **overrides.get(name, {}))
                running[name] = await serve(app)
            settings = Settings(upstreams=Upstreams(**{n: r.url for n, r in running.items()}),
                                upstream_timeout_seconds=5.0, public_base_url="https://code.example.gov.cn")
            app, client = await exits.enter_async_context(gateway_client(settings))
            return Stack(gateway=client, app=app, services=running)

        yield start


async def _stop_all(running: dict[str, Running]) -> None:
    # Concurrently: each uvicorn notices `should_exit` only on its next 0.1 s tick.
    await asyncio.gather(*[r.stop() for r in running.values() if not r.task.done()])


@pytest.fixture
async def stack(start_stack) -> Stack:
    return await start_stack()


# --- an upstream that answers with what it received -------------------------------------------------------

echo_app = FastAPI()


@echo_app.api_route("/{path:path}", methods=["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"])
async def echo(path: str, request: Request) -> Response:
    if path == "slow":
        await asyncio.sleep(1.0)
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
async def echo_gateway(echo_upstream: Running) -> AsyncIterator[tuple[FastAPI, httpx.AsyncClient]]:
    """The gateway with every service pointing at the echo upstream, and a short timeout."""
    upstreams = Upstreams(**dict.fromkeys(SERVICES, echo_upstream.url))
    async with gateway_client(Settings(upstreams=upstreams, upstream_timeout_seconds=0.3)) as pair:
        yield pair


@pytest.fixture
async def dead_gateway() -> AsyncIterator[tuple[FastAPI, httpx.AsyncClient]]:
    """The gateway with no service listening anywhere."""
    upstreams = Upstreams(**{name: dead_url() for name in SERVICES})
    async with gateway_client(Settings(upstreams=upstreams, signing_key="test-key")) as pair:
        yield pair


# --- registering through the gateway ---------------------------------------------------------------------

def registration(name: str, division_code: str) -> dict[str, Any]:
    """A valid registration (as in the registry's own tests). Each gateway test uses its own division code:
    NATS outlives a test, so an event another test left unconsumed must never carry one of this test's codes."""
    return {
        "name": name,
        "org_type": "社会团体",
        "division_code": division_code,
        "address": "温州市鹿城区人民路1号",
        "legal_representative": {"name": "张三", "id_number": "11010519491231002X", "phone": "13800138000"},
        "business_scope": "志愿服务、社区公益",
        "party_members": {"full_count": 2, "probationary_count": 0,
                          "members": [{"name": "李四", "status": "正式党员"}]},
    }


@pytest.fixture
def register() -> Callable[..., Awaitable[str]]:
    async def post(client: httpx.AsyncClient, division_code: str, name: str = "温州市青年志愿者协会",
                   headers: dict[str, str] | None = None) -> str:
        resp = await client.post("/api/registry/v1/organisations", json=registration(name, division_code),
                                 headers=headers)
        assert resp.status_code == 201, resp.text
        return resp.json()["uscc"]

    return post
