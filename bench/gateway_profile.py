"""Benchmark: the 一社一码 profile lookup, the platform's hot path (issue: gateway).

Starts the embedded stack exactly as `make run` does (SQLite files, embedded NATS, four services and the gateway in
separate processes), registers N organisations, waits until every source knows them, then drives three endpoints
in turn with the same aiohttp load generator (50 concurrent keep-alive connections, loopback only, bounded by
requests and by time, after a warm-up):

  bare      a bare FastAPI JSON endpoint in its own uvicorn process: the baseline of this run
  held      GET /v1/code/{uscc} on the gateway, every profile already held (kept current from events)
  cold      the same on a second gateway process with the cache off (GATEWAY_CACHE__MAX_ENTRIES=0): every lookup
            is a first lookup, assembled from a concurrent fan-out to the four services, each answering from its
            profile read model (yishe_kit.readmodel: one primary-key read)
  changed   the cold gateway again, but before each round every service's read model is voided (the epoch a bulk
            write moves): each organisation is looked up once per round, so every source rebuilds its fragment
            with its full view code, as on the first lookup after a change. No target: it says what a lookup
            costs when the read models cannot help.

Targets (ratios to `bare` measured in the same run): held ≥ 0.5× with p99 ≤ 20 ms; cold ≥ 0.08× with p99 ≤ 150 ms.
Usage: python bench/gateway_profile.py [N organisations, default 100] [seconds per phase, default 8] [--postgres]
(--postgres: the services and the gateway on fresh databases of the machine's PostgreSQL instead of SQLite files)
"""

from __future__ import annotations

import asyncio
import importlib.util
import itertools
import os
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import aiohttp
from yarl import URL

ROOT = Path(__file__).resolve().parents[1]
CONCURRENCY = 50
MAX_REQUESTS = 60_000
CHANGE_ROUNDS = 3
STAFF = {"X-Yishe-Role": "staff", "X-Yishe-Actor": "bench"}


def _load_stack():
    spec = importlib.util.spec_from_file_location("yishe_stack", ROOT / "scripts" / "stack.py")
    mod = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = mod
    spec.loader.exec_module(mod)
    return mod


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def cpu_seconds(pids: dict[str, int]) -> dict[str, float]:
    """User + system CPU time each process has used so far (Linux /proc), to compare cost per request."""
    out = {}
    for name, pid in pids.items():
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        out[name] = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime, stime
    return out


@dataclass
class Result:
    name: str
    requests: int
    seconds: float
    latencies_ms: list[float]
    errors: int
    server_cpu: dict[str, float] = field(default_factory=dict)

    @property
    def cpu_us(self) -> float:
        """Server CPU per answered request (every process that served it), in microseconds."""
        return sum(self.server_cpu.values()) / max(self.requests, 1) * 1e6

    def cpu_split(self) -> str:
        return ", ".join(f"{name} {cpu / max(self.requests, 1) * 1e6:.0f}" for name, cpu in self.server_cpu.items())

    @property
    def rps(self) -> float:
        return self.requests / self.seconds

    @property
    def p50(self) -> float:
        return statistics.median(self.latencies_ms)

    @property
    def p99(self) -> float:
        return pct(self.latencies_ms, 99)


async def drive(name: str, urls: list[str], seconds: float, pids: dict[str, int], warmup: float = 1.5) -> Result:
    """CONCURRENCY workers on one keep-alive connection each, cycling through `urls`; only 200s count. The client
    is kept lean (parsed URLs, no cookie jar, no decompression): its own CPU is shared with the servers."""
    connector = aiohttp.TCPConnector(limit=CONCURRENCY, limit_per_host=CONCURRENCY, keepalive_timeout=30)
    latencies: list[float] = []
    errors = 0
    cycle = itertools.cycle([URL(u, encoded=True) for u in urls])
    async with aiohttp.ClientSession(connector=connector, timeout=aiohttp.ClientTimeout(total=10),
                                     cookie_jar=aiohttp.DummyCookieJar(), auto_decompress=False) as session:

        async def worker(until: float, record: bool) -> None:
            nonlocal errors
            while time.perf_counter() < until and len(latencies) < MAX_REQUESTS:
                url = next(cycle)
                start = time.perf_counter()
                try:
                    async with session.get(url) as resp:
                        await resp.read()
                        ok = resp.status == 200
                except (aiohttp.ClientError, TimeoutError):
                    ok = False
                if not record:
                    continue
                if ok:
                    latencies.append((time.perf_counter() - start) * 1000)
                else:
                    errors += 1

        await asyncio.gather(*[worker(time.perf_counter() + warmup, False) for _ in range(CONCURRENCY)])
        cpu_before = cpu_seconds(pids)
        began = time.perf_counter()
        await asyncio.gather(*[worker(began + seconds, True) for _ in range(CONCURRENCY)])
        elapsed = time.perf_counter() - began
        cpu_after = cpu_seconds(pids)
        cpu = {n: cpu_after[n] - cpu_before[n] for n in pids}
    return Result(name, len(latencies), elapsed, latencies, errors, cpu)


async def void_read_model(db: Path | str) -> None:
    """What a bulk write does in the service's own transaction (yishe_kit.readmodel.BUMP_EPOCH_SQL): `db` is a
    SQLite file or a PostgreSQL URL."""
    from yishe_kit.readmodel import BUMP_EPOCH_SQL

    if isinstance(db, str):
        import asyncpg

        conn = await asyncpg.connect(db.replace("postgresql+asyncpg://", "postgresql://", 1))
        try:
            await conn.execute(BUMP_EPOCH_SQL)
        finally:
            await conn.close()
        return
    with sqlite3.connect(db, timeout=30) as conn:
        conn.execute(BUMP_EPOCH_SQL)
    conn.close()


async def first_after_change(name: str, urls: list[str], rounds: int, dbs: list[Path | str], pids: dict[str, int]
                             ) -> Result:
    """Each round: void every read model, then look up every organisation once (CONCURRENCY at a time)."""
    connector = aiohttp.TCPConnector(limit=CONCURRENCY, limit_per_host=CONCURRENCY, keepalive_timeout=30)
    latencies: list[float] = []
    errors = 0
    elapsed = 0.0
    async with aiohttp.ClientSession(connector=connector, timeout=aiohttp.ClientTimeout(total=30),
                                     cookie_jar=aiohttp.DummyCookieJar(), auto_decompress=False) as session:
        cpu_before = cpu_seconds(pids)
        for _ in range(rounds):
            for db in dbs:
                await void_read_model(db)
            todo = iter([URL(u, encoded=True) for u in urls])

            async def worker(todo=todo) -> None:
                nonlocal errors
                for url in todo:
                    start = time.perf_counter()
                    try:
                        async with session.get(url) as resp:
                            await resp.read()
                            ok = resp.status == 200
                    except (aiohttp.ClientError, TimeoutError):
                        ok = False
                    if ok:
                        latencies.append((time.perf_counter() - start) * 1000)
                    else:
                        errors += 1

            began = time.perf_counter()
            await asyncio.gather(*[worker() for _ in range(CONCURRENCY)])
            elapsed += time.perf_counter() - began
        cpu_after = cpu_seconds(pids)
    return Result(name, len(latencies), elapsed, latencies, errors, {n: cpu_after[n] - cpu_before[n] for n in pids})


async def register(stack, n: int) -> list[str]:
    usccs = []
    async with aiohttp.ClientSession() as session:
        for i in range(n):
            body = {
                "name": f"温州市鹿城区一社一码基准第{i}号协会", "org_type": "社会团体", "division_code": "330302",
                "address": "温州市鹿城区五马街1号", "business_scope": "社区公益服务",
                "legal_representative": {"name": "张三", "id_number": "11010519491231002X", "phone": "13800138000"},
                "party_members": {"full_count": i % 5, "probationary_count": 0, "members": []},
            }
            async with session.post(f"{stack.url('registry')}/v1/organisations", json=body, headers=STAFF) as resp:
                assert resp.status == 201, await resp.text()
                usccs.append((await resp.json())["uscc"])
        deadline = time.monotonic() + 120
        for uscc in usccs:  # every source has caught up (credit and party by events, procurement's read model)
            while True:
                async with session.get(f"{stack.gateway_url}/v1/code/{uscc}") as resp:
                    body = await resp.json()
                if resp.status == 200 and not body["pending_sources"] and not body["missing_sources"]:
                    break
                if time.monotonic() > deadline:
                    raise TimeoutError(f"{uscc} incomplete: {body}")
                await asyncio.sleep(0.05)
    return usccs


def spawn_bare(port: int, log: Path) -> subprocess.Popen:
    cmd = [sys.executable, "-m", "uvicorn", "--app-dir", str(ROOT / "bench"), "gateway_bare:app", "--host",
           "127.0.0.1", "--port", str(port), "--no-access-log", "--log-level", "warning"]
    return subprocess.Popen(cmd, stdout=log.open("ab"), stderr=subprocess.STDOUT)


async def run(n: int, seconds: float, postgres: bool = False) -> None:
    mod = _load_stack()
    from yishe_kit.testing import create_pg_database, free_port, wait_for_port

    # Loopback load from one address: the anonymous rate limit (EDGE-1) would measure the limiter, not the lookup.
    os.environ["GATEWAY_RATE_LIMIT__ANONYMOUS"] = "100000000/second"
    data = Path(tempfile.mkdtemp(prefix="yishe-bench-gateway-"))
    # --postgres: one fresh database per service and the gateway on the machine's PostgreSQL (production's backend)
    db_urls = {svc: create_pg_database(f"yishe_bench_{svc}") for svc in mod.MIGRATED} if postgres else {}
    stack = mod.Stack(data_dir=data, nats_port=free_port(), gateway_port=free_port(),
                      ports={s: free_port() for s in mod.SERVICES}, nats_url=None, db_urls=db_urls)
    stack.start()
    bare = None
    try:
        cold_port = stack.ports["gateway-cold"] = free_port()
        os.environ |= {"GATEWAY_CACHE__MAX_ENTRIES": "0", "GATEWAY_EVENTS_ENABLED": "false",
                       "GATEWAY_WEBHOOKS__ENABLED": "false"}
        try:
            stack._spawn("gateway-cold", "yishe_gateway.main:create_app", cold_port)
        finally:
            for key in ("GATEWAY_CACHE__MAX_ENTRIES", "GATEWAY_EVENTS_ENABLED", "GATEWAY_WEBHOOKS__ENABLED"):
                os.environ.pop(key)
        stack._wait_ready("gateway-cold")
        bare_port = free_port()
        bare = spawn_bare(bare_port, stack.log_dir / "bare.log")
        wait_for_port(bare_port)
        usccs = await register(stack, n)
        services = {s: stack.procs[s].pid for s in mod.SERVICES}
        cold_urls = [f"http://127.0.0.1:{cold_port}/v1/code/{u}" for u in usccs]
        results = [
            await drive("bare FastAPI JSON endpoint", [f"http://127.0.0.1:{bare_port}/hello"], seconds,
                        {"bare": bare.pid}),
            await drive("held profile (cache, kept current by events)",
                        [f"{stack.gateway_url}/v1/code/{u}" for u in usccs], seconds,
                        {"gateway": stack.procs["gateway"].pid}),
            await drive("cold profile (4-way fan-out, cache off)", cold_urls, seconds,
                        {"gateway": stack.procs["gateway-cold"].pid, **services}),
            await first_after_change("first lookup after a change (rebuilds)", cold_urls, CHANGE_ROUNDS,
                                     [db_urls.get(s) or stack.data_dir / f"{s}.db" for s in mod.SERVICES],
                                     {"gateway": stack.procs["gateway-cold"].pid, **services}),
        ]
    finally:
        if bare is not None:
            bare.terminate()
            bare.wait(10)
        stack.stop()
    report(results, n, "PostgreSQL (one database per service)" if postgres else "embedded default (SQLite)")


def report(results: list[Result], n: int, backend: str) -> None:
    bare, held, cold, changed = results
    print(f"一社一码 profile lookup, {CONCURRENCY} concurrent connections, {n} organisations, {backend}, "
          f"one uvicorn worker per process, load generator on the same 2 cores:")
    for r in results:
        print(f"  {r.name:<46} {r.rps:8.0f} req/s  p50 {r.p50:6.1f} ms  p99 {r.p99:6.1f} ms  "
              f"server CPU {r.cpu_us:6.0f} µs/request  ({r.requests} requests, {r.errors} errors)")
    held_ok = held.rps / bare.rps >= 0.5 and held.p99 <= 20 and held.errors == 0
    cold_ok = cold.rps / bare.rps >= 0.08 and cold.p99 <= 150 and cold.errors == 0
    print(f"  held: ratio {held.rps / bare.rps:.2f}× (target ≥ 0.5×), p99 {held.p99:.1f} ms (target ≤ 20 ms): "
          f"{'PASS' if held_ok else 'FAIL'}")
    print(f"  cold: ratio {cold.rps / bare.rps:.3f}× (target ≥ 0.08×), p99 {cold.p99:.1f} ms (target ≤ 150 ms): "
          f"{'PASS' if cold_ok else 'FAIL'}")
    print(f"  cold lookup's server CPU by process (µs/request): {cold.cpu_split()}")
    print(f"  first lookup after a change (every source rebuilds; {CHANGE_ROUNDS} rounds of {n}): ratio "
          f"{changed.rps / bare.rps:.3f}×, server CPU by process (µs/request): {changed.cpu_split()}")
    print(f"  server CPU per request relative to bare (a ratio the load generator's own limit cannot hide): "
          f"held {bare.cpu_us / held.cpu_us:.2f}×, cold {bare.cpu_us / cold.cpu_us:.3f}× (gateway + 4 services)")


if __name__ == "__main__":
    try:
        import uvloop  # the load generator's own event loop: the faster it is, the less it limits the measurement

        asyncio.set_event_loop_policy(uvloop.EventLoopPolicy())
    except ImportError:
        pass
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    asyncio.run(run(int(args[0]) if args else 100, float(args[1]) if len(args) > 1 else 8.0,
                    postgres="--postgres" in sys.argv))
