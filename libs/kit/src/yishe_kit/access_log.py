"""One pure-ASGI middleware per process, outermost: the HTTP server span (W3C `traceparent` in), request metrics by
route template, and a JSON access log line with request id, role, status and duration.

No personal data in the log: the route *template* (`/v1/organisations/{uscc}`), never the raw path, and never the
query string (a query may carry an ID number or a phone); no actor name, no client address. Health probes,
scrapes and the gateway's fragment reads (FragmentLane: the gateway logs the lookup itself) are counted, not
logged."""

from __future__ import annotations

import asyncio
import contextlib
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime

import orjson
import structlog
from fastapi import FastAPI
from opentelemetry import context as otel_context
from opentelemetry import trace
from opentelemetry.trace import SpanKind, Tracer
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from . import tracing
from .logging import info_enabled
from .metrics import CountsOf, Metrics, refresh_bus, refresh_jobs
from .metrics import install as install_metrics
from .principal import SCOPE_KEY
from .settings import TelemetrySettings

log = structlog.get_logger("yishe.access")
UNMATCHED = "<unmatched>"
ROUTE_KEY = "yishe.route"  # set by plain-ASGI fast lanes (and /metrics), which answer before any router
_QUIET_PREFIXES = ("/health/", "/metrics")


def route_template(scope: Scope) -> str:
    """The matched route's full template. FastAPI (0.16x) keeps an included router's routes as they were declared
    (`/organisations/{uscc}`) and the prefixed template (`/v1/organisations/{uscc}`) in its effective route context;
    read there, falling back to the declared template (still a template, never the raw path)."""
    effective = scope.get("fastapi", {}).get("effective_route_context")
    path = getattr(effective, "path_format", None)
    if path:
        return str(path)
    route = scope.get("route")
    if route is not None:
        return str(getattr(route, "path_format", None) or route.path)
    return str(scope.get(ROUTE_KEY) or UNMATCHED)


def _role(scope: Scope) -> str:
    state = scope.get("state", {})
    # The gateway's resolved caller, or a service's caller as the gateway's verified assertion names it.
    identity = state.get("identity") or state.get(SCOPE_KEY)
    if identity is not None:
        return str(getattr(identity, "role", "public"))
    return "public"


class ObserveMiddleware:
    def __init__(self, app: ASGIApp, *, metrics: Metrics | None, tracer: Tracer, access_log: bool = True) -> None:
        self.app = app
        self.metrics = metrics
        self.tracer = tracer
        self.access_log = access_log

    async def _lifespan(self, scope: Scope, receive: Receive, send: Send) -> None:
        """The app's whole life, its event loop's lag observed meanwhile (`Metrics.probe_loop`)."""
        assert self.metrics is not None
        probe = asyncio.create_task(self.metrics.probe_loop())
        try:
            await self.app(scope, receive, send)
        finally:
            probe.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await probe

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan" and self.metrics is not None:
            await self._lifespan(scope, receive, send)
            return
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start = time.perf_counter()
        method: str = scope["method"]
        status = 500
        request_id: str | None = None

        async def send_observed(message: Message) -> None:
            nonlocal status, request_id
            if message["type"] == "http.response.start":
                status = message["status"]
                for name, value in message.get("headers", ()):
                    if name == b"x-request-id":
                        request_id = value.decode("latin-1")
            await send(message)

        parent = tracing.context_from_headers(scope["headers"])
        span = self.tracer.start_span(method, context=parent, kind=SpanKind.SERVER,
                                      attributes={"http.request.method": method})
        token = otel_context.attach(trace.set_span_in_context(span, parent))
        try:
            await self.app(scope, receive, send_observed)
        finally:
            otel_context.detach(token)
            elapsed = time.perf_counter() - start
            route = route_template(scope)
            tracing.end_server_span(span, method, route, status)
            metrics = self.metrics
            if metrics is not None:
                metrics.observe_request(method, route, status, elapsed)
            if self.access_log and not route.startswith(_QUIET_PREFIXES) and not scope.get("yishe.quiet"):
                log.info(
                    "request", method=method, route=route, status=status, duration_ms=round(elapsed * 1000, 2),
                    request_id=request_id, role=_role(scope))


def observe(app: FastAPI, service: str, telemetry: TelemetrySettings) -> None:
    """Wire metrics (`/metrics`), traces and the access log into `app`; call it last, so the middleware is outermost
    (fast lanes included). Scrape-time gauges read `app.state.bus` and `app.state.relay` when the process has them."""
    tracer = tracing.configure(service, telemetry)
    metrics = None
    if telemetry.metrics_enabled:
        metrics = Metrics(service)
        install_metrics(app, metrics)

        async def bus_gauges(m: Metrics) -> None:
            bus = getattr(app.state, "bus", None)
            if bus is not None:
                await refresh_bus(m, bus)

        async def outbox_gauge(m: Metrics) -> None:
            relay = getattr(app.state, "relay", None)
            if relay is not None:
                m.outbox_unsent.set(await relay.lag())

        async def job_gauges(m: Metrics) -> None:
            runner = getattr(app.state, "jobs", None)
            if runner is not None:
                await refresh_jobs(m, runner)

        def count(part: str, attribute: str) -> Callable[[], int | None]:
            """`app.state.<part>.<attribute>`, or None while the process has no such part."""
            return lambda: None if (found := getattr(app.state, part, None)) is None else int(getattr(found, attribute))

        metrics.registry.register(CountsOf({
            "yishe_relay_published_events": ("Outbox events this process's relay published (NATS acknowledged)",
                                             count("relay", "published")),
            "yishe_relay_duplicate_events": ("Events this process published that the stream already held (dropped "
                                             "by their Nats-Msg-Id): a round repeated, or another relay's rows",
                                             count("bus", "duplicates")),
        }))
        metrics.add_refresher("nats", bus_gauges)
        metrics.add_refresher("jobs", job_gauges)
        metrics.add_refresher("outbox", outbox_gauge)
    app.add_middleware(ObserveMiddleware, metrics=metrics, tracer=tracer, access_log=telemetry.access_log)


class AccessLines:
    """OBS-3: the access log's line for an answer a front lane gives before `ObserveMiddleware` (the gateway's public
    lookups), written by hand rather than through structlog's processor chain: at a held lookup's rate that chain
    and its flush per line cost more than the lookup (~15 µs of ~50; bench/gateway_profile.py). The line has the
    same fields, in the same order, as `ObserveMiddleware`'s (`service`, `level` and an ISO UTC `timestamp`
    included); the lines of one event-loop turn go out in one write, at the end of that turn."""

    def __init__(self, service: str) -> None:
        self.service = service
        self._pending: list[bytes] = []
        self.enabled = info_enabled()  # as structlog's filtering logger (yishe_kit.logging) decides

    def request(self, method: str, route: str, status: int, seconds: float, request_id: str, role: str) -> None:
        if not self.enabled:
            return
        line = orjson.dumps({
            "method": method, "route": route, "status": status, "duration_ms": round(seconds * 1000, 2),
            "request_id": request_id, "role": role, "event": "request", "service": self.service, "level": "info",
            "timestamp": datetime.now(UTC).isoformat().replace("+00:00", "Z")})
        pending = self._pending
        if not pending:
            asyncio.get_running_loop().call_soon(self.flush)
        pending.append(line)

    def flush(self) -> None:
        if self._pending:
            lines, self._pending = self._pending, []
            out = sys.stdout
            out.write(b"\n".join(lines).decode("utf-8") + "\n")
            out.flush()
