"""Builds a service's FastAPI app: lifespan (engine, sessions, NATS bus, relay, consumers), errors, health, ids."""

from __future__ import annotations

import asyncio
import gc
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from typing import Any

import structlog
from fastapi import APIRouter, FastAPI
from fastapi.routing import APIRoute
from sqlalchemy import MetaData
from starlette.types import ASGIApp, Receive, Scope, Send

from . import idempotency
from .access_log import observe
from .assertion import EXEMPT_PREFIXES, AssertionGate, verifier_for
from .bounds import bound_parameters
from .bus import Bus, Subscription
from .clock import Clock, default_clock
from .context import subscriptions as context_subscriptions
from .db import IDEMPOTENCY_TABLE, JOB_TABLE, make_engine, make_sessionmaker
from .docs import offline_docs
from .errors import DatabaseOutage, ServiceError, install_handlers, service_error_response
from .front import FrontedApp
from .health import router as health_router
from .jobs import JobRunner, jobs_router
from .limits import add_limits
from .logging import RequestIds, configure
from .outbox import Outbox
from .platform_date import PlatformDateFollower
from .readmodel import FragmentLane, Fragments, FrontFragmentLane, ReadModel, listen_to_engine, listening_session_class
from .relay import Relay
from .settings import ServiceSettings, runs_parts
from .tasks import bounded
from .tasks import stop as stop_tasks

_frozen = False

JOBS_STOP_SECONDS = 30.0  # a stopping service gives its running jobs this long to write their final state


def freeze_startup_objects() -> None:
    """Once per process, when the app has started: everything built so far (modules, schemas, routes: ~100k objects)
    lives as long as the process, so it leaves the cyclic GC. A full collection would otherwise scan it all, tens of
    milliseconds each time (measured: ~70 ms), straight into the request latencies' p99."""
    global _frozen
    if not _frozen:
        _frozen = True
        gc.collect()
        gc.freeze()


def _operation_id(route: APIRoute) -> str:
    tag = route.tags[0] if route.tags else "default"
    return f"{tag}-{route.name}"


# FastAPI's own OpenTelemetry bridge (0.165+) asks the global providers on every request (~several µs to tens of µs
# of CPU, PERFORMANCE.md); the kit traces and counts requests itself (ObserveMiddleware, its own providers).
NO_NATIVE_TELEMETRY: dict[str, bool] = {"tracing": False, "metrics": False, "logs": False}


class ConsumersOnly:
    """A consumers-only process (`runs=consumers`) answers its probes and metrics and nothing else: its API is the
    other process's (404 naming it, never a half-started route without its jobs or front lane)."""

    def __init__(self, app: ASGIApp, service: str) -> None:
        self.app = app
        self.refusal = ServiceError("consumers_only", 404, f"this {service} process runs the event consumers only: "
                                    f"its API is served by the {service} process started with runs=api",
                                    detail_zh=f"此{service}进程只处理事件，接口由 runs=api 的进程提供")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith(EXEMPT_PREFIXES):
            await self.app(scope, receive, send)
            return
        await service_error_response(self.refusal)(scope, receive, send)


def create_service_app(
    *,
    settings: ServiceSettings,
    title: str,
    metadata: MetaData,
    routers: Sequence[APIRouter],
    # Any: each service passes its own Settings subclass (Callable is contravariant in its arguments).
    subscriptions: Callable[[Any, Outbox], Sequence[Subscription]] | None = None,
    description: str = "",
    fragments: Fragments | None = None,
    consumers: Sequence[Any] = (),
    clock: Clock | None = None,
) -> FastAPI:
    """`consumers`: `yishe_kit.context.On(Model, handler)` pairs, each handler given its `HandlerContext`.
    `clock`: the app's business clock (default: the process's `default_clock()`, which the platform date moves).
    `fragments`: the service keeps the 一社一码 read model of its part of the profile (yishe_kit.readmodel); its
    metadata then has the `profile_fragment` table (new_metadata(fragments=True))."""
    configure(settings.service_name, settings.log_level)
    verifier = verifier_for(settings.service_name, settings.assertion)  # the gate's, and the front lane's
    serving, consuming = runs_parts(settings.runs)

    @asynccontextmanager
    async def lifespan(app: FrontedApp) -> AsyncIterator[None]:
        engine = make_engine(settings.db.url, echo=settings.db.echo, pool_size=settings.db.pool_size,
                             max_overflow=settings.db.max_overflow)
        read_model = None
        if fragments is not None:
            table = metadata.tables["profile_fragment"]
            listen_to_engine(engine, fragments)
            sessionmaker = make_sessionmaker(engine, listening_session_class(fragments, table))
            read_model = app.state.read_model = ReadModel(fragments, table, engine, sessionmaker, app.state,
                                                          writers_elsewhere=settings.runs == "api")
            await read_model.start(reads=serving)
            if serving:
                app.open_front(FrontFragmentLane(app.state, fragments.path, verifier,
                                                 getattr(app.state, "metrics", None)), settings.service_name)
        else:
            sessionmaker = make_sessionmaker(engine)
        bus = Bus(settings.nats, name=settings.service_name)
        app.state.engine, app.state.sessionmaker, app.state.bus = engine, sessionmaker, bus
        jobs = None
        if JOB_TABLE in metadata.tables and serving:  # a consumers-only process takes no job, nor resumes one
            jobs = app.state.jobs = JobRunner(sessionmaker, metadata.tables[JOB_TABLE])
            await jobs.recover()
        connect_task = asyncio.create_task(bus.connect())
        subs = list(subscriptions(settings, app.state.outbox)) if subscriptions else []
        subs += context_subscriptions(settings.service_name, consumers, outbox=app.state.outbox, settings=settings,
                                      clock=app.state.clock)
        app.state.subscriptions = subs
        if consuming:
            bus.start_consumers(subs, sessionmaker, metadata.tables["inbox"])
        follower = None
        if settings.follows_platform_date:
            follower = app.state.platform_date = PlatformDateFollower(bus, app.state.clock)
            follower.start()
        else:
            structlog.get_logger("yishe.platform_date").info(
                "platform date disabled: the business date is the real date",
                platform_date_enabled=settings.platform_date_enabled, env=settings.env)
        relay = Relay(bus=bus, sessionmaker=sessionmaker, outbox=metadata.tables["outbox"], settings=settings.relay,
                      origin=app.state.outbox.origin)
        app.state.relay = relay
        if settings.relay.enabled:
            relay.start()
        freeze_startup_objects()
        try:
            yield
        finally:
            # Each step bounded (yishe_kit.tasks): one that hangs is named in the log and passed, never holding the
            # process, or a test's teardown, open. Jobs get longer: each writes its own final state.
            if jobs is not None:
                await bounded("jobs", jobs.close(), JOBS_STOP_SECONDS)
            await bounded("relay", relay.stop())
            if follower is not None:
                await bounded("platform date", follower.stop())
            await stop_tasks(connect_task)
            await bounded("bus", bus.close())
            app.front = None
            if read_model is not None:
                await bounded("read model", read_model.close())
                app.state.read_model = None
            await bounded("database", engine.dispose())

    app = FrontedApp(title=title, description=description, version="1.0", lifespan=lifespan,
                  telemetry=NO_NATIVE_TELEMETRY,  # type: ignore[arg-type]
                  generate_unique_id_function=_operation_id, docs_url=None, redoc_url=None)
    offline_docs(app, openapi_url="/openapi.json", title=title)
    app.state.settings = settings
    app.state.clock = clock or default_clock()
    app.state.platform_date = None
    app.state.outbox = Outbox(metadata.tables["outbox"], settings.service_name,
                              origin=None if settings.runs == "all" else settings.runs)
    install_handlers(app)
    app.include_router(health_router)
    for router in routers:
        app.include_router(router, prefix="/v1")
    if JOB_TABLE in metadata.tables:
        app.include_router(jobs_router(), prefix="/v1")
    bound_parameters(app)  # every int within 64 bits, every date and year within 1949–2200 (yishe_kit.bounds)

    app.add_middleware(RequestIds)

    # Inside the gate (the key is the vouched-for caller's) and the body limits; the header in every POST's OpenAPI.
    idempotency.install(app, settings.idempotency, metadata.tables.get(IDEMPOTENCY_TABLE))
    if fragments is not None:  # outermost but for the gate: the gateway's reads skip every layer above
        app.state.read_model = None
        app.add_middleware(FragmentLane, state=app.state, path=fragments.path)
    app.add_middleware(DatabaseOutage)  # around the lane and the idempotency claim: an outage there is a 503
    add_limits(app, settings.limits)
    # Outside every route, lane and limit: nothing runs for a request the gateway did not vouch for (health probes
    # excepted); only the telemetry below sees it (a refused call is counted and logged too).
    if not serving:  # inside the gate: an unvouched caller is refused as anywhere else
        app.add_middleware(ConsumersOnly, service=settings.service_name)
    app.add_middleware(AssertionGate, verifier=verifier)
    observe(app, settings.service_name, settings.telemetry)  # outermost: metrics, traces, access log
    return app
