"""Benchmark: delay from a registration's commit to its Party-building record existing (issue: first slice).

Starts the embedded stack exactly as `make run` does (SQLite files, embedded NATS, separate processes), registers
N organisations through the registry and measures, per organisation, from `registered_at` (stamped by registry
inside the registering transaction, before its commit) to the arrival of `party.record.opened.v1` (published by
party's relay only after party's own commit). Both ends are conservative, so the figures are upper bounds.

Baselines measured in the same run: a bare FastAPI JSON endpoint's request latency and a NATS core round trip.
The first WARMUP registrations are not measured (each process's first statements compile and caches fill: the very
first one took 66 ms when measured); then N one at a time (each sent once the previous one's Party record is
out), then N back to back.
Usage: python bench/registration_to_party.py [N]  (default 200)
"""

from __future__ import annotations

import asyncio
import importlib.util
import json
import os
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import httpx
import nats

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))

from gateway_profile import cpu_seconds, remove_data  # noqa: E402

# The registry is called directly (no gateway hop), so the headers the gateway would assert for a staff account.


def _load_stack():
    spec = importlib.util.spec_from_file_location("yishe_stack", ROOT / "scripts" / "stack.py")
    mod = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = mod
    spec.loader.exec_module(mod)
    return mod


def _registration_bodies():
    """Valid direct registrations (the registry applies the application's rules to them: REG-1/2/6/8)."""
    spec = importlib.util.spec_from_file_location("registration_bodies", ROOT / "tests" / "registration_bodies.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


WARMUP = 20


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


async def bare_endpoint_latency(n: int = 300) -> list[float]:
    """Baseline: a bare FastAPI JSON endpoint on uvicorn, one request at a time."""
    import uvicorn
    from fastapi import FastAPI

    from yishe_kit.testing import free_port

    app = FastAPI()

    @app.get("/hello")
    async def hello() -> dict[str, str]:
        return {"hello": "world"}

    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", access_log=False))
    task = asyncio.create_task(server.serve())
    while not server.started:
        await asyncio.sleep(0.01)
    out = []
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as client:
        for _ in range(n):
            t = time.perf_counter()
            await client.get("/hello")
            out.append((time.perf_counter() - t) * 1000)
    server.should_exit = True
    await task
    return out


async def nats_round_trip(url: str, n: int = 300) -> list[float]:
    nc = await nats.connect(url)
    async def echo(msg) -> None:
        await msg.respond(b"ok")

    sub = await nc.subscribe("bench.echo", cb=echo)
    out = []
    for _ in range(n):
        t = time.perf_counter()
        await nc.request("bench.echo", b"x", timeout=2)
        out.append((time.perf_counter() - t) * 1000)
    await sub.unsubscribe()
    await nc.close()
    return out


async def run(n: int) -> None:
    mod = _load_stack()
    from yishe_kit.testing import free_port

    data = Path(tempfile.mkdtemp(prefix="yishe-bench-"))
    stack = mod.Stack(data_dir=data, nats_port=free_port(), gateway_port=free_port(),
                      ports={s: free_port() for s in mod.SERVICES}, nats_url=None, db_urls={})
    stack.start()
    try:
        received: dict[str, float] = {}
        arrived: dict[str, asyncio.Event] = {}
        nc = await nats.connect(stack.nats_url)

        async def on_party(msg) -> None:
            uscc = json.loads(msg.data)["subject"]
            received[uscc] = time.time()
            arrived.setdefault(uscc, asyncio.Event()).set()

        published: dict[str, float] = {}

        async def on_registered(msg) -> None:
            published[json.loads(msg.data)["subject"]] = time.time()

        await nc.subscribe("party.record.opened.v1", cb=on_party)
        await nc.subscribe("registry.organisation.registered.v1", cb=on_registered)
        registered_at: dict[str, float] = {}
        burst_start = 0.0
        bodies = _registration_bodies()
        pids = {name: proc.pid for name, proc in stack.procs.items()}
        cpu_before: dict[str, float] = {}
        cpu_one: dict[str, float] = {}
        async with httpx.AsyncClient(base_url=stack.url("registry"), timeout=10,
                                     headers=stack.vouch("registry", role="staff", actor="bench")) as client:
            for i in range(-WARMUP, 2 * n):
                if i == 0:
                    await asyncio.sleep(3)  # the warm-up's follow-on work done (lingering, the gateway's loads)
                    cpu_before = cpu_seconds(pids)
                if i == n:
                    burst_start = time.perf_counter()
                    cpu_one = {k: v - cpu_before[k] for k, v in cpu_seconds(pids).items()}
                body = bodies.direct_registration(
                    f"温州市鹿城区基准测试{bodies.han_word()}协会",
                    party_members={"full_count": i % 5, "probationary_count": 0, "members": []})
                resp = await client.post("/v1/organisations", json=body)
                resp.raise_for_status()
                org = resp.json()
                if i < 0:
                    await asyncio.wait_for(arrived.setdefault(org["uscc"], asyncio.Event()).wait(), timeout=10)
                    continue
                registered_at[org["uscc"]] = datetime.fromisoformat(org["registered_at"]).astimezone(UTC).timestamp()
                if i < n:  # first n: one at a time (latency); next n: back to back (latency under a burst)
                    await asyncio.wait_for(arrived.setdefault(org["uscc"], asyncio.Event()).wait(), timeout=10)
            usccs = list(registered_at)
            await asyncio.wait_for(asyncio.gather(*[arrived.setdefault(u, asyncio.Event()).wait()
                                                    for u in usccs[n:]]), timeout=60)
            burst_seconds = time.perf_counter() - burst_start
        await nc.close()
        delays = [(received[u] - registered_at[u]) * 1000 for u in usccs[:n]]
        # The two legs, one at a time: registry (commit, relay, publish) and party (consume, commit, relay, publish).
        legs = [((published[u] - registered_at[u]) * 1000, (received[u] - published[u]) * 1000)
                for u in usccs[:n] if u in published]
        burst = [(received[u] - registered_at[u]) * 1000 for u in usccs[n:]]
        bare = await bare_endpoint_latency()
        rtt = await nats_round_trip(stack.nats_url)
    finally:
        stack.stop()
        remove_data(data)
    p50, p99 = statistics.median(delays), pct(delays, 99)
    bare50, rtt50 = statistics.median(bare), statistics.median(rtt)
    print(f"registration commit → Party-building record, {n} registrations one at a time, embedded default (SQLite):")
    print(f"  p50 {p50:.1f} ms   p90 {pct(delays, 90):.1f} ms   p99 {p99:.1f} ms   max {max(delays):.1f} ms   "
          f"(target p99 ≤ 30 ms; {WARMUP} registrations before, not measured)")
    registry_leg, party_leg = [a for a, _ in legs], [b for _, b in legs]
    print(f"  legs (p50 / p99): registry stamp → its event on NATS {statistics.median(registry_leg):.1f} / "
          f"{pct(registry_leg, 99):.1f} ms; that event → party's on NATS {statistics.median(party_leg):.1f} / "
          f"{pct(party_leg, 99):.1f} ms")
    print("  CPU per registration, one at a time (ms): " + ", ".join(
        f"{name} {cpu / n * 1000:.1f}" for name, cpu in sorted(cpu_one.items(), key=lambda kv: -kv[1]))
        + f"; all {sum(cpu_one.values()) / n * 1000:.1f} on {os.cpu_count()} cores")
    print(f"  baseline bare FastAPI request p50 {bare50:.2f} ms → ratio p50/bare {p50 / bare50:.1f}×")
    print(f"  baseline NATS request/reply p50 {rtt50:.2f} ms → ratio p50/NATS {p50 / rtt50:.1f}×")
    print(f"  verdict: {'PASS' if p99 <= 30 else 'FAIL'} (p99 ≤ 30 ms, issue 11 item 6)")
    print(f"under a burst of {n} back-to-back registrations ({n / burst_seconds:.0f} registrations/s end to end):")
    print(f"  p50 {statistics.median(burst):.1f} ms   p99 {pct(burst, 99):.1f} ms (queueing included; "
          f"target p99 ≤ 500 ms: {'PASS' if pct(burst, 99) <= 500 else 'FAIL'})")


if __name__ == "__main__":
    asyncio.run(run(int(sys.argv[1]) if len(sys.argv) > 1 else 200))
