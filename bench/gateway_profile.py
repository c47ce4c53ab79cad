"""Benchmark: the 一社一码 profile lookup, the platform's hot path, in production's shape (issue 17).

For each backend (SQLite files, then PostgreSQL at 127.0.0.1:5432: one fresh database per service and the gateway),
N organisations are loaded into every service through the bulk path (bench/profile_seed.py: the registry's CSV
import, then every contract event it causes handed to each consumer's set-based handler, no NATS), the embedded
stack is started on those databases exactly as `make run` does (embedded NATS, five services and the gateway in
separate processes) with the gateway's profile cache bounded at M entries (GATEWAY_CACHE__MAX_ENTRIES < N), and the
same load generator (wrk, one thread, 50 concurrent keep-alive connections, loopback only, after a warm-up;
without wrk, or with --client aiohttp, a Python aiohttp client whose own CPU caps the ratios near 1×) drives, in turn:

  bare      a bare FastAPI JSON endpoint in its own uvicorn process: the baseline of this backend's run
  first     each organisation of the cold set looked up once: nothing held anywhere, every source builds its
            fragment with its full view code (the first lookup of an organisation, or the first after a change);
            always by the aiohttp client, which reads each answer to check that every source is in it (a reused
            run, --data, voids the stored fragments at start so that they build again; with --keep-fragments it
            keeps them, and this phase is the lookup after a restart)
  held      GET /v1/code/{uscc} cycling through a held set (≤ M/2, at most 500): every lookup a cache hit
  cold      the same cycling through the cold set (more organisations than the cache holds, in one fixed order, so
            each lookup has been evicted before it comes round again): a 5-way fan-out to the services, each
            answering from its profile read model (yishe_kit.readmodel: one primary-key read)

and each process's RSS (now and peak, /proc) after the run. Targets (issue 17; ratios to `bare` in the same run):
held ≥ 2×; cold ≥ 0.3× with p99 ≤ 50 ms; every service ≤ 200 MB.

Usage: python bench/gateway_profile.py [--organisations N] [--seconds S] [--cache-entries M] [--cold-set K]
       [--backend sqlite|postgres …] [--data DIR [--keep-fragments]]   (old form: gateway_profile.py N S [--postgres])
"""

from __future__ import annotations

import asyncio
import importlib.util
import itertools
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp
from yarl import URL

ROOT = Path(__file__).resolve().parents[1]
CONCURRENCY = 50
MAX_REQUESTS = 60_000
FIRST_CONCURRENCY = 8  # first lookups build every fragment (~5-10 ms of CPU in each source): 50 at once time out
CHANGE_ROUNDS = 3


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
    percentiles: dict[int, float] = field(default_factory=dict)  # wrk's own (it keeps no list of latencies)
    client: str = "aiohttp"

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
        if 50 in self.percentiles:
            return self.percentiles[50]
        return statistics.median(self.latencies_ms) if self.latencies_ms else float("nan")

    @property
    def p99(self) -> float:
        if 99 in self.percentiles:
            return self.percentiles[99]
        return pct(self.latencies_ms, 99) if self.latencies_ms else float("nan")


WRK = shutil.which("wrk")
_WRK_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def _wrk_script(urls: list[str], directory: Path) -> tuple[str, Path]:
    """(base URL, Lua script cycling through the URLs' paths in order, one prepared request each)."""
    base = URL(urls[0])
    origin = f"{base.scheme}://{base.host}:{base.port}"
    paths = ",".join('"' + URL(u, encoded=True).raw_path_qs + '"' for u in urls)
    script = directory / "cycle.lua"
    script.write_text(
        f"local paths = {{{paths}}}\nlocal reqs = {{}}\n"
        "for i, p in ipairs(paths) do reqs[i] = wrk.format(\"GET\", p) end\n"
        "local i = 0\nrequest = function() i = i % #reqs + 1; return reqs[i] end\n")
    return origin, script


def _wrk(origin: str, script: Path, seconds: float, cpu: int | None = None) -> str:
    pinned = ["taskset", "-c", str(cpu)] if cpu is not None and shutil.which("taskset") else []
    done = subprocess.run([*pinned, WRK, "-t1", f"-c{CONCURRENCY}", f"-d{max(1, round(seconds))}s", "--latency",
                           "--timeout", "10s", "-s", str(script), origin], capture_output=True, text=True,
                          check=True)
    return done.stdout


def parse_wrk(out: str) -> tuple[int, float, dict[int, float], int]:
    """(requests, seconds, {50: p50 ms, 99: p99 ms}, errors: non-2xx/3xx answers, socket errors) from wrk's output."""
    m = re.search(r"(\d+) requests in ([\d.]+)(us|ms|s|m|h),", out)
    requests = int(m.group(1))
    seconds = float(m.group(2)) * {"us": 1e-6, "ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0}[m.group(3)]
    percentiles = {}
    for p, value, unit in re.findall(r"^\s+(50|99)%\s+([\d.]+)(us|ms|s)\s*$", out, re.M):
        percentiles[int(p)] = float(value) * _WRK_UNITS[unit]
    errors = sum(int(n) for n in re.findall(r"Non-2xx or 3xx responses: (\d+)", out))
    sock = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    if sock:
        errors += sum(int(g) for g in sock.groups())
    return requests - errors, seconds, percentiles, errors


async def drive_wrk(name: str, urls: list[str], seconds: float, pids: dict[str, int], warmup: float = 1.5) -> Result:
    """As `drive`, with wrk (C, one thread, CONCURRENCY keep-alive connections) as the load generator: it costs a
    fraction of the Python client's CPU per request, so a fast server is not hidden behind its client.

    With one server process (the bare endpoint, the held phase's gateway) the server is pinned to one core and wrk
    to the other for the phase: otherwise the scheduler sometimes puts both on one core, and the same code measured
    55–76 µs a request from run to run."""
    single = len(pids) == 1 and len(os.sched_getaffinity(0)) >= 2
    pid = next(iter(pids.values()))
    if single:
        os.sched_setaffinity(pid, {0})
    try:
        with tempfile.TemporaryDirectory() as tmp:
            origin, script = _wrk_script(urls, Path(tmp))
            cpu = 1 if single else None
            await asyncio.to_thread(_wrk, origin, script, warmup, cpu)
            cpu_before = cpu_seconds(pids)
            out = await asyncio.to_thread(_wrk, origin, script, seconds, cpu)
            cpu_after = cpu_seconds(pids)
    finally:
        if single:
            os.sched_setaffinity(pid, os.sched_getaffinity(0))
    requests, elapsed, percentiles, errors = parse_wrk(out)
    return Result(name, requests, elapsed, [], errors, {n: cpu_after[n] - cpu_before[n] for n in pids},
                  percentiles, "wrk")


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


async def once(name: str, urls: list[str], pids: dict[str, int], concurrency: int = CONCURRENCY,
               failed: list[str] | None = None) -> Result:
    """Each URL looked up once, `concurrency` at a time (the first lookup of an organisation: nothing held anywhere);
    the URLs that did not answer 200 with every source present are added to `failed`."""
    connector = aiohttp.TCPConnector(limit=concurrency, limit_per_host=concurrency, keepalive_timeout=30)
    latencies: list[float] = []
    errors = 0
    todo = iter(urls)
    async with aiohttp.ClientSession(connector=connector, timeout=aiohttp.ClientTimeout(total=30),
                                     cookie_jar=aiohttp.DummyCookieJar(), auto_decompress=False) as session:

        async def worker() -> None:
            nonlocal errors
            for url in todo:
                start = time.perf_counter()
                try:
                    async with session.get(URL(url, encoded=True)) as resp:
                        body = await resp.read()
                        # complete: every source answered (a source that timed out while building is "missing", and
                        # its fragment is still to build: the cold phase would pay for it)
                        ok = resp.status == 200 and b'"missing_sources":[]' in body and b'"pending_sources":[]' in body
                except (aiohttp.ClientError, TimeoutError):
                    ok = False
                if ok:
                    latencies.append((time.perf_counter() - start) * 1000)
                else:
                    errors += 1
                    if failed is not None:
                        failed.append(url)

        cpu_before = cpu_seconds(pids)
        began = time.perf_counter()
        await asyncio.gather(*[worker() for _ in range(concurrency)])
        elapsed = time.perf_counter() - began
        cpu_after = cpu_seconds(pids)
    return Result(name, len(latencies), elapsed, latencies, errors, {n: cpu_after[n] - cpu_before[n] for n in pids})


def spawn_bare(port: int, log: Path) -> subprocess.Popen:
    cmd = [sys.executable, "-m", "uvicorn", "--app-dir", str(ROOT / "bench"), "gateway_bare:app", "--host",
           "127.0.0.1", "--port", str(port), "--no-access-log", "--log-level", "warning"]
    return subprocess.Popen(cmd, stdout=log.open("ab"), stderr=subprocess.STDOUT)


def remove_data(path: Path) -> None:
    """A run's files (SQLite, logs, CSV: ~9 GiB at 1,000,000 organisations) go at its end, unless YISHE_BENCH_KEEP."""
    keep = bool(os.environ.get("YISHE_BENCH_KEEP"))
    if not keep:
        shutil.rmtree(path, ignore_errors=True)
    print(f"  data {'kept in' if keep else 'removed:'} {path} (YISHE_BENCH_KEEP=1 keeps it)")


def memory_mb(pids: dict[str, int]) -> dict[str, tuple[float, float]]:
    """Each process's resident set now and its peak since it started (VmRSS, VmHWM from /proc), in MB."""
    out = {}
    for name, pid in pids.items():
        fields = {}
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            key, _, value = line.partition(":")
            if key in ("VmRSS", "VmHWM"):
                fields[key] = int(value.split()[0]) / 1024
        out[name] = (fields.get("VmRSS", 0.0), fields.get("VmHWM", 0.0))
    return out


@dataclass
class Options:
    organisations: int = 1000
    seconds: float = 8.0
    cache_entries: int = 0  # 0: N // 10 (at least 100), always below N
    cold_set: int = 0  # 0: min(N, 2 × cache entries, at least 1,000)
    backends: tuple[str, ...] = ("sqlite", "postgres")
    py_spy: str = ""  # a directory: py-spy samples every process during the cold phase (collapsed stacks)
    client: str = "wrk"  # the load generator of the bare, held and cold phases: wrk (when installed) or aiohttp
    data: str = ""  # one backend: a directory (and on PostgreSQL the yishe_bench_* databases) loaded once, reused
    keep_fragments: bool = False  # a reused run: the services keep the fragments an earlier run stored (a restart)

    def __post_init__(self) -> None:
        if self.organisations < 2:
            raise SystemExit("--organisations must be at least 2")
        if not self.cache_entries:
            self.cache_entries = max(min(self.organisations // 10, 100_000), min(100, self.organisations - 1))
        if self.cache_entries >= self.organisations:
            raise SystemExit(f"--cache-entries {self.cache_entries} must be below --organisations "
                             f"{self.organisations}: the cold lookups must really miss")
        if not self.cold_set:
            self.cold_set = min(self.organisations - self.held_set, max(2 * self.cache_entries, 1000))
        self.cold_set = min(self.cold_set, self.organisations)
        if self.cold_set <= self.cache_entries:
            raise SystemExit("the cold set must be larger than the cache, or it would be held")
        if self.data and len(self.backends) != 1:
            raise SystemExit("--data is for one backend (add --backend sqlite or --backend postgres)")

    @property
    def held_set(self) -> int:
        return max(1, min(self.cache_entries // 2, 500))


def parse_args(argv: list[str]) -> Options:
    import argparse

    p = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("n", nargs="?", type=int, help="organisations (as --organisations)")
    p.add_argument("phase_seconds", nargs="?", type=float, help="seconds per phase (as --seconds)")
    p.add_argument("--organisations", type=int, default=None, help="organisations loaded in every service (1000)")
    p.add_argument("--seconds", type=float, default=None, help="seconds per measured phase (8)")
    p.add_argument("--cache-entries", type=int, default=0,
                   help="GATEWAY_CACHE__MAX_ENTRIES, below N (default N/10, at most 100,000)")
    p.add_argument("--cold-set", type=int, default=0,
                   help="organisations the cold phase cycles through (> cache entries; default 2 × cache, ≥ 1,000)")
    p.add_argument("--backend", action="append", choices=["sqlite", "postgres"],
                   help="one backend only (repeatable); default both")
    p.add_argument("--client", choices=["wrk", "aiohttp"], default=None,
                   help="load generator (default wrk when on the PATH: scripts/ensure-wrk.sh; else aiohttp, whose "
                        "own ~130 µs a request, on the servers' cores, caps any ratio near 1×)")
    p.add_argument("--postgres", action="store_true", help="PostgreSQL only (as --backend postgres)")
    p.add_argument("--py-spy", default="", metavar="DIR",
                   help="sample every process with py-spy during the cold phase; collapsed stacks into DIR")
    p.add_argument("--data", default="", metavar="DIR",
                   help="one backend: load N organisations once (into DIR; on PostgreSQL into the yishe_bench_* "
                        "databases, DIR keeping the note of it) and reuse them in later runs: A/B runs at 1,000,000 "
                        "without 15-30 minutes of loading each. Never removed")
    p.add_argument("--keep-fragments", action="store_true",
                   help="with --data, a reused run: the services keep the profile fragments an earlier run stored "
                        "(a restart: its first lookups read them). Without it they void them at start "
                        "(YISHE_READMODEL_VOID_ON_START=1), so the first lookups build, as in a fresh run")
    a = p.parse_args(argv)
    backends = tuple(a.backend or (["postgres"] if a.postgres else ["sqlite", "postgres"]))
    return Options(organisations=a.organisations or a.n or 1000, seconds=a.seconds or a.phase_seconds or 8.0,
                   cache_entries=a.cache_entries, cold_set=a.cold_set, backends=backends,
                   py_spy=a.py_spy, client=a.client or ("wrk" if WRK else "aiohttp"), data=a.data,
                   keep_fragments=a.keep_fragments)


def pick(usccs: list[str], opts: Options, seed: int = 17) -> tuple[list[str], list[str]]:
    """(held set, cold set): disjoint, spread over the whole range of loaded organisations."""
    import random

    chosen = random.Random(seed).sample(usccs, opts.held_set + opts.cold_set)
    return chosen[:opts.held_set], chosen[opts.held_set:]


def seed_databases(n: int, db_urls: dict[str, str], log: Path) -> str:
    """bench/profile_seed.py in its own process (its memory is not the services'); its summary."""
    cmd = [sys.executable, str(ROOT / "bench" / "profile_seed.py"), str(n), *[f"{k}={v}" for k, v in db_urls.items()]]
    with log.open("ab") as err:
        done = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=err, cwd=ROOT, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"seeding failed; see {log}")
    return done.stdout.decode()


@dataclass
class BackendRun:
    backend: str
    results: dict[str, Result]
    memory: dict[str, tuple[float, float]]
    seed_seconds: float
    seed_summary: str
    cache: dict[str, Any] = field(default_factory=dict)


async def run_backend(opts: Options, backend: str) -> BackendRun:
    mod = _load_stack()
    from yishe_kit.testing import create_pg_database, free_port, migrate, pg_url, wait_for_port

    sys.path.insert(0, str(ROOT / "bench"))
    from profile_seed import usccs as seeded_usccs

    data = Path(opts.data) if opts.data else Path(tempfile.mkdtemp(prefix=f"yishe-bench-gateway-{backend}-"))
    (data / "logs").mkdir(parents=True, exist_ok=True)
    marker = data / "seeded.json"
    reuse = bool(opts.data) and marker.exists()
    if backend == "postgres":  # one fresh database per service and the gateway (production's backend)
        db_urls = {svc: pg_url(f"yishe_bench_{svc}") if reuse else create_pg_database(f"yishe_bench_{svc}")
                   for svc in mod.MIGRATED}
    else:
        db_urls = {svc: f"sqlite+aiosqlite:///{data / (svc + '.db')}" for svc in mod.MIGRATED}
    if reuse:
        seeded = json.loads(marker.read_text())
        if (seeded["organisations"], seeded.get("backend", "sqlite")) != (opts.organisations, backend):
            raise SystemExit(f"{data} holds {seeded['organisations']:,} organisations on "
                             f"{seeded.get('backend', 'sqlite')}, not {opts.organisations:,} on {backend}")
        seed_seconds = seeded["seconds"]
        summary = f"reused {data} ({backend}, loaded once in {seed_seconds:.0f} s)\n"
    else:
        for svc, directory in mod.MIGRATED.items():
            migrate(directory, db_urls[svc])
        began = time.perf_counter()
        summary = seed_databases(opts.organisations, db_urls, data / "logs" / "seed.log")
        seed_seconds = time.perf_counter() - began
        if opts.data:
            marker.write_text(json.dumps({"organisations": opts.organisations, "seconds": seed_seconds,
                                          "backend": backend}))
    usccs = seeded_usccs(opts.organisations)
    held_set, cold_set = pick(usccs, opts)

    # Loopback load from one address: the anonymous rate limit (EDGE-1) would measure the limiter, not the lookup.
    env = {"GATEWAY_RATE_LIMIT__ANONYMOUS": "100000000/second",
           "GATEWAY_CACHE__MAX_ENTRIES": str(opts.cache_entries)}
    # A reused run's services keep the fragments an earlier run stored (their fingerprint leaves the ports out): its
    # first lookups would read them. Unless asked to keep them, they are voided at start: every run's "first" phase
    # then builds, fresh or reused.
    kept = reuse and opts.keep_fragments
    env["YISHE_READMODEL_VOID_ON_START"] = "0" if kept else "1"
    # Six processes on one PostgreSQL (max_connections 100, shared with whatever else runs here): 3 kept + 3 more
    # under load each, plus each service's read-model pool (yishe_kit.settings.DatabaseSettings).
    for prefix in [s.upper() for s in mod.MIGRATED]:
        env |= {f"{prefix}_DB__POOL_SIZE": "3", f"{prefix}_DB__MAX_OVERFLOW": "3", f"{prefix}_DB__READ_POOL_SIZE": "3"}
    saved = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    stack = mod.Stack(data_dir=data, nats_port=free_port(), gateway_port=free_port(),
                      ports={s: free_port() for s in mod.SERVICES}, nats_url=None,
                      db_urls=db_urls if backend == "postgres" else {})
    try:
        stack.start()
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
    bare = None
    try:
        bare_port = free_port()
        bare = spawn_bare(bare_port, stack.log_dir / "bare.log")
        wait_for_port(bare_port)
        pids = {name: proc.pid for name, proc in stack.procs.items()}  # the consumers processes too, when apart
        gw = stack.gateway_url
        failed: list[str] = []
        load = drive_wrk if opts.client == "wrk" else drive
        results = {
            "bare": await load("bare FastAPI JSON endpoint", [f"http://127.0.0.1:{bare_port}/hello"],
                                opts.seconds, {"bare": bare.pid}),
            # every organisation of both sets, looked up for the first time: each source builds its fragment
            "first": await once(f"lookup after a restart ({FIRST_CONCURRENCY} at a time: fragments kept)" if kept
                                else f"first lookup ({FIRST_CONCURRENCY} at a time: every source builds)",
                                [f"{gw}/v1/code/{u}" for u in cold_set + held_set], pids, FIRST_CONCURRENCY,
                                failed),
        }
        for _ in range(5):  # any that failed (a source timed out while building): again, once its breaker closed
            if not failed:
                break
            await asyncio.sleep(6)
            again, failed = failed, []
            await once("(first lookups again)", again, pids, 4, failed)
        if failed:
            raise RuntimeError(f"{len(failed)} organisations never answered complete, e.g. {failed[:3]}")
        await asyncio.sleep(6)  # every breaker closed again
        if backend == "postgres":  # the server's own writes of the load and the first lookups, done before measuring
            await checkpoint(next(iter(db_urls.values())))
        await once("(loading the held set)", [f"{gw}/v1/code/{u}" for u in held_set], pids, FIRST_CONCURRENCY)
        spies = spy({"gateway": pids["gateway"]}, opts, f"{backend}-held")
        results["held"] = await load("held profile (in the bounded cache)", [f"{gw}/v1/code/{u}" for u in held_set],
                                     opts.seconds, {"gateway": pids["gateway"]})
        for proc in spies:
            proc.wait(30)
        cycle = [f"{gw}/v1/code/{u}" for u in cold_set]  # more than the cache holds, in one order: always a miss
        spies = spy(pids, opts, f"{backend}-cold")
        before = await readiness(stack)
        results["cold"] = await load("cold profile (cache miss: 5-way fan-out)", cycle, opts.seconds, pids)
        after = await readiness(stack)
        for proc in spies:
            proc.wait(30)
        memory = memory_mb({**pids, "bare": bare.pid})
        cache = {"cache": after.get("cache", {}), "cold phase's gathered reads": gathered(before, after)}
    finally:
        if bare is not None:
            bare.terminate()
            bare.wait(10)
        stack.stop()
    if not opts.data:
        remove_data(data)  # kept after a failure (its logs)
    return BackendRun(backend, results, memory, seed_seconds, summary, cache)


async def checkpoint(url: str) -> None:
    """PostgreSQL's CHECKPOINT (cluster-wide): the WAL of the load and of the first lookups' fragment writes is
    flushed now, not by the checkpointer during the measured phases, which share these 2 cores with it."""
    import asyncpg

    conn = await asyncpg.connect(url.replace("postgresql+asyncpg://", "postgresql://"))
    try:
        await conn.execute("CHECKPOINT")
    finally:
        await conn.close()


def spy(pids: dict[str, int], opts: Options, backend: str) -> list[subprocess.Popen]:
    """With --py-spy DIR: `py-spy record` on the given processes for one phase (its warm-up included)."""
    if not opts.py_spy:
        return []
    out = Path(opts.py_spy)
    out.mkdir(parents=True, exist_ok=True)
    return [subprocess.Popen([str(Path(sys.executable).parent / "py-spy"), "record", "--pid", str(pid), "--duration",
                              str(int(opts.seconds + 1)), "--rate", "250", "--format", "raw", "--nonblocking",
                              "--output", str(out / f"{backend}-{name}.txt")],
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            for name, pid in pids.items()]


async def readiness(stack: Any) -> dict[str, Any]:
    """The gateway's readiness answer: its profile cache's counters (entries, bytes, hits, misses) and, per service,
    the fan-out's gathered fragment reads so far (requests sent, codes they carried). {} if it cannot be read."""
    try:
        async with aiohttp.ClientSession() as session, session.get(f"{stack.gateway_url}/health/ready") as resp:
            return dict(await resp.json())
    except (aiohttp.ClientError, ValueError):
        return {}


def gathered(before: dict[str, Any], after: dict[str, Any]) -> dict[str, str]:
    """Per service, the reads one phase sent and the codes each carried (its warm-up included)."""
    out = {}
    for s, v in after.get("fanout", {}).items():
        was = before.get("fanout", {}).get(s, {"requests": 0, "codes": 0})
        requests, codes = v["requests"] - was["requests"], v["codes"] - was["codes"]
        out[s] = f"{requests:,} reads, {codes / max(1, requests):.1f} codes each"
    return out


def report(run: BackendRun, opts: Options) -> None:
    r = run.results
    bare, held, cold, first = r["bare"], r["held"], r["cold"], r["first"]
    label = "PostgreSQL (one database per service)" if run.backend == "postgres" else "embedded default (SQLite)"
    print(f"\n一社一码 profile lookup, {label}: {opts.organisations:,} organisations loaded in every service "
          f"(bulk path, {run.seed_seconds:.0f} s), gateway cache bounded at {opts.cache_entries:,} entries; "
          f"held set {opts.held_set}, cold set {opts.cold_set:,} (cycled: always a miss); {CONCURRENCY} concurrent "
          f"connections, one uvicorn worker per process, load generator ({bare.client}) on the same cores:")
    for res in (bare, held, cold, first):
        print(f"  {res.name:<50} {res.rps:8.0f} req/s  p50 {res.p50:6.1f} ms  p99 {res.p99:6.1f} ms  "
              f"server CPU {res.cpu_us:6.0f} µs/request  ({res.requests} requests, {res.errors} errors)")
    held_ok = held.rps / bare.rps >= 2 and held.errors == 0
    cold_ok = cold.rps / bare.rps >= 0.3 and cold.p99 <= 50 and cold.errors == 0
    print(f"  held: ratio {held.rps / bare.rps:.2f}× (target ≥ 2×), p99 {held.p99:.1f} ms: "
          f"{'PASS' if held_ok else 'FAIL'}")
    print(f"  cold: ratio {cold.rps / bare.rps:.3f}× (target ≥ 0.3×), p99 {cold.p99:.1f} ms (target ≤ 50 ms): "
          f"{'PASS' if cold_ok else 'FAIL'}")
    print(f"  cold lookup's server CPU by process (µs/request): {cold.cpu_split()}")
    print(f"  {first.name.split(' (')[0]}'s server CPU by process (µs/request): {first.cpu_split()}")
    print("  memory (MB, RSS at the end / peak since start; target ≤ 200 per service): "
          + ", ".join(f"{k} {now:.0f}/{peak:.0f}" for k, (now, peak) in run.memory.items()))
    if run.cache:
        print(f"  gateway (readiness answer): {run.cache}")
    if opts.data:
        print(f"  data: {run.seed_summary.strip()}")


async def run(opts: Options) -> list[BackendRun]:
    runs = []
    for backend in opts.backends:
        one = await run_backend(opts, backend)
        report(one, opts)
        runs.append(one)
    return runs


if __name__ == "__main__":
    try:
        import uvloop  # the load generator's own event loop: the faster it is, the less it limits the measurement

        asyncio.set_event_loop_policy(uvloop.EventLoopPolicy())
    except ImportError:
        pass
    options = parse_args(sys.argv[1:])
    print(f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}; load average at start: {os.getloadavg()}")
    asyncio.run(run(options))
    print(f"load average at the end: {os.getloadavg()}")
