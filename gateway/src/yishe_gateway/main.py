"""The gateway, the one front door: `uvicorn --factory yishe_gateway.main:create_app`."""

from __future__ import annotations

import asyncio
import ipaddress
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import aiohttp
import structlog
from fastapi import Request, Response
from fastapi.middleware.cors import CORSMiddleware
from fastapi.routing import APIRoute

from yishe_kit.access_log import AccessLines, observe
from yishe_kit.app import NO_NATIVE_TELEMETRY, ConsumersOnly, freeze_startup_objects
from yishe_kit.bounds import bound_parameters
from yishe_kit.bus import Bus
from yishe_kit.db import make_engine, make_sessionmaker
from yishe_kit.docs import offline_docs
from yishe_kit.errors import install_handlers
from yishe_kit.front import FrontedApp
from yishe_kit.logging import configure
from yishe_kit.settings import runs_parts
from yishe_kit.tasks import bounded
from yishe_kit.tasks import stop as stop_tasks

from . import errors, platform_date, proxy, routes
from .audit import models as _audit_models  # noqa: F401 - register tables on the metadata
from .audit.checkpoint import Checkpoints
from .audit.router import router as audit_router
from .audit.service import AuditLog
from .config import Settings, get_settings
from .dashboard import router as dashboard_router
from .db import metadata
from .edge.body_limit import BodyLimitMiddleware
from .edge.fastlane import FastLane, PublicLane
from .edge.openapi import MergedOpenAPI, install_security
from .edge.ratelimit import Limiter
from .exchange import consumers
from .exchange.router import router as exchange_router
from .exchange.webhooks import Dispatcher
from .identity import models as _identity_models  # noqa: F401
from .identity.router import router as identity_router
from .identity.service import UserStates, forget_old_nonces
from .profile.breaker import Breakers
from .profile.cache import ProfileCache
from .profile.complaint import router as complaint_router
from .profile.fanout import Hops, fetch_all, merge
from .profile.invalidation import Invalidation
from .profile.router import router as profile_router
from .request_id import RequestIdMiddleware
from .upstream import SERVICES

log = structlog.get_logger("yishe.gateway")
EXPOSED = ["X-Request-ID", "Retry-After", "WWW-Authenticate"]
ALLOWED = ["Authorization", "Content-Type", "X-App-Key", "X-Timestamp", "X-Nonce", "X-Signature", "X-Purpose",
           "X-Request-ID", "Accept", "Accept-Language"]


def _operation_id(route: APIRoute) -> str:
    return f"{route.tags[0] if route.tags else 'gateway'}-{route.name}"


async def _every(seconds: float, job: Any) -> None:
    while True:
        await asyncio.sleep(seconds)
        try:
            await job()
        except Exception as exc:
            log.warning("periodic job failed", error=repr(exc))


def create_app(settings: Settings | None = None) -> FrontedApp:
    settings = settings or get_settings()
    configure("gateway", settings.log_level)
    serving, consuming = runs_parts(settings.runs)

    @asynccontextmanager
    async def lifespan(app: FrontedApp) -> AsyncIterator[None]:
        state = app.state
        engine = make_engine(settings.db.url, echo=settings.db.echo, pool_size=settings.db.pool_size,
                             max_overflow=settings.db.max_overflow)
        state.engine, state.sessionmaker = engine, make_sessionmaker(engine)
        # One pooled session for every upstream call: per-request clients would redo TCP setup on each hop.
        # limit_per_host: one slow service cannot take every connection. keepalive_timeout stays under
        # uvicorn's 5 s keep-alive, so we never reuse a connection the service is just closing (a POST
        # on it would fail, and aiohttp only retries idempotent requests).
        connector = aiohttp.TCPConnector(limit=400, limit_per_host=100, keepalive_timeout=4)
        # No cookie jar: the services set none, and the jar is work on every call.
        http = state.http = aiohttp.ClientSession(connector=connector, raise_for_status=False,
                                                  cookie_jar=aiohttp.DummyCookieJar())
        state.breakers = Breakers(SERVICES, settings.breaker)
        # The profile fan-out's own kept-alive connections (plain-http upstreams; the rest go through `http`).
        state.hops = hops = Hops(settings)

        async def load(uscc: str, request_id: str) -> dict[str, Any]:
            return merge(uscc, await fetch_all(state.http, settings, state.breakers, uscc, request_id, hops))

        state.cache = ProfileCache(settings.cache, load)
        access = AccessLines("gateway") if settings.telemetry.access_log else None
        if serving:
            app.open_front(PublicLane(state, getattr(state, "metrics", None), access), "gateway")
        checkpoints = Checkpoints(settings) if settings.audit.checkpoints and serving else None
        if checkpoints is not None:
            checkpoints.start()
        state.audit = AuditLog(state.sessionmaker, settings.audit.hmac_key.get_secret_value().encode(), checkpoints)
        state.audit.start()
        tasks = []
        if serving:  # what requests use: the sign-in nonces, the shared rate limits
            tasks += [asyncio.create_task(_every(settings.hmac.window_seconds, lambda: forget_old_nonces(
                state.sessionmaker, settings.hmac.window_seconds)), name="nonce-cleanup"),
                      asyncio.create_task(_every(60.0, app.state.limiter.sweep), name="rate-limit-sweep"),
                      asyncio.create_task(app.state.limiter.run(), name="rate-limit-share")]
        state.bus = state.invalidation = None
        if settings.events_enabled:
            state.bus = Bus(settings.nats, name="gateway")
            tasks.append(asyncio.create_task(state.bus.connect(), name="nats-connect"))
            state.subscriptions = consumers.subscriptions()
            if consuming:  # the change feed's durables
                state.bus.start_consumers(state.subscriptions, state.sessionmaker, metadata.tables["inbox"])
            if serving:  # the held profiles are this process's memory
                state.invalidation = Invalidation(state.bus, state.cache)
                state.invalidation.start()
        if serving:  # the merged OpenAPI: every service's document fetched from the start, not on the first /docs
            tasks.append(asyncio.create_task(state.openapi_merged.warm(app, http), name="openapi-warm"))
        follower = platform_date.start(app)
        state.dispatcher = Dispatcher(settings, state.sessionmaker, http)
        if settings.webhooks.enabled and serving:
            state.dispatcher.start()
        freeze_startup_objects()
        try:
            yield
        finally:
            app.front = None
            if access is not None:
                access.flush()
            await stop_tasks(tasks)
            # Each step bounded: a stop that hangs (a consumer mid-batch, a dead upstream) is logged by name and
            # passed, never holding the process (or a test's teardown) open.
            await bounded("dispatcher", state.dispatcher.stop())
            await bounded("openapi", state.openapi_merged.close())
            if follower is not None:
                await bounded("platform date", follower.stop())
            if state.invalidation is not None:
                await bounded("invalidation", state.invalidation.stop())
            if state.bus is not None:
                await bounded("bus", state.bus.close())
            await bounded("cache", state.cache.close())
            await bounded("audit", state.audit.stop())
            if checkpoints is not None:
                await bounded("checkpoints", checkpoints.stop())
            hops.close()
            await bounded("http", http.close())
            state.http = None
            await bounded("database", engine.dispose())

    app = FrontedApp(title="yishe gateway (一社一码)", version="1.0", lifespan=lifespan,
                  telemetry=NO_NATIVE_TELEMETRY,  # type: ignore[arg-type]  # the kit's own tracing and metrics
                  openapi_url="/openapi/gateway.json", docs_url=None, redoc_url=None,
                  generate_unique_id_function=_operation_id)
    app.state.settings = settings
    app.state.http = None
    app.state.trusted_proxies = [ipaddress.ip_network(c, strict=False) for c in settings.trusted_proxies]
    app.state.limiter = Limiter(settings.rate_limit, settings.rate_limit.storage_uri, settings.nats)
    app.state.user_states = UserStates()
    app.state.anonymous_writes = proxy.parse_anonymous_writes(settings.anonymous_writes)
    app.state.openapi_merged = MergedOpenAPI()
    install_handlers(app)
    errors.install(app)
    app.state.upload_routes = proxy.parse_anonymous_writes(settings.upload_routes)
    app.add_middleware(BodyLimitMiddleware, max_bytes=settings.max_body_bytes,
                       upload=lambda method, path: proxy.is_upload(app.state.upload_routes, method, path),
                       upload_max_bytes=settings.upload_max_bytes)
    app.add_middleware(CORSMiddleware, allow_origins=settings.cors_origins, allow_methods=["*"],
                       allow_headers=ALLOWED, expose_headers=EXPOSED, allow_credentials=False, max_age=600)
    app.add_middleware(FastLane, state=app.state)
    app.add_middleware(RequestIdMiddleware)
    app.include_router(profile_router)  # first: the hot path's route is matched before any other
    app.include_router(routes.router)
    app.include_router(identity_router)
    app.include_router(exchange_router)
    app.include_router(audit_router)
    app.include_router(complaint_router)
    app.include_router(platform_date.router)
    app.include_router(dashboard_router)  # /dashboard: the cultivation dashboard page (static)

    install_security(app)

    @app.get("/openapi.json", include_in_schema=False)
    async def merged_openapi(request: Request) -> Response:
        body = await app.state.openapi_merged.build_bytes(app, request.app.state.http)
        return Response(body, media_type="application/json")

    offline_docs(app, openapi_url="/openapi.json", title="yishe (一社一码)")

    app.include_router(proxy.router)
    bound_parameters(app)  # ints within 64 bits, dates/years 1949–2200, e.g. ?as_of= on the 一社一码 lookup
    if not serving:
        app.add_middleware(ConsumersOnly, service="gateway")
    observe(app, "gateway", settings.telemetry)  # outermost: metrics, traces, access log
    return app
