"""The cost of the kit's observability middleware (metrics + server span + access log) on a tiny request.

    .venv/bin/python bench/observe_overhead.py [requests]

Calls one FastAPI app's ASGI entry directly (no network, no HTTP client) for a bare `GET /ping`, with and without
`yishe_kit.access_log.ObserveMiddleware`, interleaved rounds, and prints the median per-request CPU time of each
and the difference. The access log goes to /dev/null (structlog's JSON rendering is part of the cost)."""

from __future__ import annotations

import asyncio
import os
import statistics
import sys
import time

import structlog
from fastapi import FastAPI
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from yishe_kit import tracing
from yishe_kit.access_log import observe
from yishe_kit.logging import configure
from yishe_kit.settings import TelemetrySettings


def build(observed: bool, telemetry: TelemetrySettings) -> FastAPI:
    app = FastAPI()

    @app.get("/ping")
    async def ping() -> dict[str, str]:
        return {"ok": "1"}

    if observed:
        observe(app, "bench", telemetry)
    return app


async def run(app: FastAPI, n: int) -> float:
    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "GET", "scheme": "http",
             "path": "/ping", "raw_path": b"/ping", "query_string": b"", "root_path": "",
             "headers": [(b"host", b"bench"), (b"x-request-id", b"bench-1"), (b"x-yishe-role", b"staff")],
             "client": ("127.0.0.1", 1), "server": ("bench", 80)}

    async def receive() -> dict:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict) -> None:
        return None

    # CPU time of this process, not wall time: the shared machine's load (other processes) then adds far less noise.
    start = time.process_time()
    for _ in range(n):
        await app(dict(scope), receive, send)
    return (time.process_time() - start) / n


async def main(n: int) -> None:
    sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - the access lines
    configure("bench", "INFO")
    structlog.configure(logger_factory=structlog.PrintLoggerFactory(file=sys.stdout))
    apps = {"bare": build(False, TelemetrySettings()), "observed": build(True, TelemetrySettings()),
            "observed, no access log": build(True, TelemetrySettings(access_log=False))}
    # Spans recorded (as with an OTLP endpoint), into the SDK's in-memory exporter: built last, since every tracer
    # configured after this records.
    tracing.add_span_processor(SimpleSpanProcessor(InMemorySpanExporter()))
    apps["observed, spans recorded"] = build(True, TelemetrySettings())
    results: dict[str, list[float]] = {name: [] for name in apps}
    for app in apps.values():
        await run(app, 500)  # warm up
    for _ in range(7):
        for name, app in apps.items():
            results[name].append(await run(app, n))
    sys.stdout = sys.__stdout__
    bare = statistics.median(results["bare"])
    for name, times in results.items():
        median = statistics.median(times)
        print(f"{name:26s} {median * 1e6:8.1f} µs/request  (+{(median - bare) * 1e6:6.1f} µs)")


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1]) if len(sys.argv) > 1 else 2000))
