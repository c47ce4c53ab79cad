"""Prometheus metrics of one process (prometheus-client), served at `/metrics`: requests per route template, consumer
lag per durable, outbox backlog, dead letters, daily-job runs and long-job progress.

Request metrics are recorded by `yishe_kit.access_log.ObserveMiddleware`; the gauges that mirror state elsewhere
(JetStream consumer info, the outbox table, the DLQ stream) are read when Prometheus scrapes, never on a timer, so
an idle process does no work for them. Each app has its own registry (tests build many apps in one process)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterator
from typing import TYPE_CHECKING

import structlog
from fastapi import FastAPI
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.core import CounterMetricFamily
from prometheus_client.registry import Collector
from sqlalchemy import func, select
from starlette.requests import Request
from starlette.responses import Response

if TYPE_CHECKING:
    from .bus import Bus
    from .jobs import JobRunner

log = structlog.get_logger("yishe.metrics")

# Seconds: a held profile lookup is ~1 ms, a registration tens of ms, an import or a daily job seconds.
BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)
REFRESH_TIMEOUT_S = 2.0
# The event loop's lag: a timer due every LOOP_PROBE_S, how late it ran. A process whose consumers or jobs run long
# stretches of Python without an await holds every request it receives meanwhile by that much.
LOOP_PROBE_S = 0.25  # four timers a second: ~0.1% of a core (0.1 s: 0.2%)
LAG_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0)

Refresher = Callable[["Metrics"], Awaitable[None]]


class CountsOf(Collector):
    """Counters kept as plain integers by the code that counts (the relay, the bus: no metrics object on their hot
    path), read when Prometheus scrapes: `read()` gives each family's value, or None while the process has no such
    part."""

    def __init__(self, families: dict[str, tuple[str, Callable[[], int | None]]]) -> None:
        self.families = families

    def collect(self) -> Iterator[CounterMetricFamily]:
        for name, (documentation, read) in self.families.items():
            value = read()
            if value is not None:
                yield CounterMetricFamily(name, documentation, value=value)


class Metrics:
    """The metric families of one process; `render()` refreshes the scraped gauges and writes the text format."""

    def __init__(self, service: str) -> None:
        self.service = service
        self.registry = r = CollectorRegistry(auto_describe=False)
        self.requests = Histogram(
            "yishe_http_request_duration_seconds", "HTTP requests by method, route template and status (its _count "
            "is the request count)", ["method", "route", "status"], buckets=BUCKETS, registry=r)
        self.consumer_pending = Gauge("yishe_consumer_pending_messages",
                                      "Messages in the stream not yet delivered to the durable (consumer lag)",
                                      ["durable"], registry=r)
        self.consumer_ack_pending = Gauge("yishe_consumer_ack_pending_messages",
                                          "Messages delivered to the durable and not yet acknowledged", ["durable"],
                                          registry=r)
        self.consumer_redelivered = Gauge("yishe_consumer_redelivered_messages",
                                          "Messages the durable has had delivered more than once", ["durable"],
                                          registry=r)
        self.outbox_unsent = Gauge("yishe_outbox_unsent_rows", "Outbox rows not yet published to NATS", registry=r)
        self.dlq_messages = Gauge("yishe_dlq_messages", "Dead-lettered messages held for the durable", ["durable"],
                                  registry=r)
        self.jobs = Gauge("yishe_jobs", "Jobs in the service's job table by kind and state (queued, running, "
                          "succeeded, failed, cancelled, interrupted)", ["kind", "state"], registry=r)
        self.job_last_success = Gauge("yishe_job_last_success_timestamp_seconds",
                                      "Unix time the last job of the kind succeeded (e.g. kind=\"registry.daily\")",
                                      ["kind"], registry=r)
        self.job_progress = Gauge("yishe_job_progress_ratio", "Share of a running job's items done (0..1; 0 while "
                                  "its total is unknown)", ["kind", "job_id"], registry=r)
        self.jobs_running = Gauge("yishe_jobs_running", "Jobs running in this process, by kind", ["kind"], registry=r)
        self.refresh_errors = Counter("yishe_metrics_refresh_errors_total",
                                      "Scrape-time reads that failed (the gauge keeps its last value)", ["source"],
                                      registry=r)
        self.loop_lag = Histogram(
            "yishe_event_loop_lag_seconds", f"How late the event loop ran a timer due every {LOOP_PROBE_S:g} s: what "
            "a request arriving then waited before its first step", buckets=LAG_BUCKETS, registry=r)
        self._refreshers: dict[str, Refresher] = {}

    async def probe_loop(self) -> None:
        """Observe the event loop's lag until cancelled (the app's lifespan runs it: `access_log.ObserveMiddleware`).
        An idle process does nothing else for it."""
        loop = asyncio.get_running_loop()
        observe = self.loop_lag.observe
        while True:
            due = loop.time() + LOOP_PROBE_S
            await asyncio.sleep(LOOP_PROBE_S)
            observe(max(0.0, loop.time() - due))

    def observe_request(self, method: str, route: str, status: int, seconds: float) -> None:
        self.requests.labels(method, route, str(status)).observe(seconds)

    def route_observer(self, method: str, route: str) -> Callable[[int, float], None]:
        """`observe(status, seconds)` for one route, its labelled series kept per status: a front lane's (yishe_kit.
        front) count without a label lookup per request."""
        series: dict[int, Callable[[float], None]] = {}

        def observe(status: int, seconds: float) -> None:
            found = series.get(status)
            if found is None:
                found = series[status] = self.requests.labels(method, route, str(status)).observe
            found(seconds)

        return observe

    def add_refresher(self, source: str, refresh: Refresher) -> None:
        self._refreshers[source] = refresh

    async def render(self) -> bytes:
        for source, refresh in self._refreshers.items():
            try:
                async with asyncio.timeout(REFRESH_TIMEOUT_S):
                    await refresh(self)
            except Exception as exc:  # a scrape still answers: the failing source is counted and logged
                self.refresh_errors.labels(source).inc()
                log.warning("metrics refresh failed", source=source, error=repr(exc))
        return generate_latest(self.registry)


async def refresh_bus(metrics: Metrics, bus: Bus) -> None:
    """Consumer lag and dead letters of every durable the process consumes (JetStream consumer and stream info)."""
    for durable, pending, ack_pending, redelivered in await bus.consumer_stats():
        metrics.consumer_pending.labels(durable).set(pending)
        metrics.consumer_ack_pending.labels(durable).set(ack_pending)
        metrics.consumer_redelivered.labels(durable).set(redelivered)
    for durable, depth in (await bus.dlq_depths()).items():
        metrics.dlq_messages.labels(durable).set(depth)


async def refresh_jobs(metrics: Metrics, runner: JobRunner) -> None:
    """Jobs by kind and state and each kind's last success (the service's job table, shared by its replicas), and
    the progress of each job running in this process (finished ones drop out). Labelled `kind`, not `job`:
    Prometheus keeps `job` for the scrape target."""
    t = runner.table
    async with runner.sessionmaker() as session:
        rows = (await session.execute(select(t.c.kind, t.c.state, func.count(), func.max(t.c.finished_at))
                                      .group_by(t.c.kind, t.c.state))).all()
    metrics.jobs.clear()
    for kind, state, count, finished in rows:
        metrics.jobs.labels(kind, state).set(count)
        if state == "succeeded" and finished is not None:
            metrics.job_last_success.labels(kind).set(finished.timestamp())
    metrics.job_progress.clear()
    metrics.jobs_running.clear()
    running: dict[str, int] = {}
    for progress in list(runner.live.values()):
        kind = progress.kind or "job"
        running[kind] = running.get(kind, 0) + 1
        metrics.job_progress.labels(kind, progress.job_id).set(
            min(progress.done / progress.total, 1.0) if progress.total else 0.0)
    for kind, count in running.items():
        metrics.jobs_running.labels(kind).set(count)


def install(app: FastAPI, metrics: Metrics) -> None:
    """`GET /metrics` in the Prometheus text format (not in the OpenAPI)."""
    app.state.metrics = metrics

    async def scrape(request: Request) -> Response:
        request.scope["yishe.route"] = "/metrics"
        return Response(await metrics.render(), media_type=CONTENT_TYPE_LATEST)

    app.add_route("/metrics", scrape, methods=["GET"], include_in_schema=False)
