"""Benchmark: a city's organisations imported and propagated to every consumer (issue: bulk at city scale).

Starts the whole embedded stack as `make run` does (SQLite files or `--postgres`, embedded NATS, one process per
service + gateway), imports N organisations as one CSV file streamed through the gateway to the registry's import
job (`POST /api/registry/v1/exchange/import-jobs` with the development staff token, as `yishe import` does), then
waits until every consumer has taken in every organisation: the import's bulk events
(`registry.organisations.imported.v1`, up to 1,000 registrations each: party, credit, procurement, cultivation, gateway)
and their cascades: credit's profiles opened for them (`credit.profiles.opened.v1`, bulk: procurement,
cultivation, gateway) and party's records opened for them (`party.records.opened.v1`, bulk: gateway).
Reports:
  * import rows/s (from the upload's start until the job has finished);
  * per consumer and subject: the time from the import's start until it had taken in every organisation, and its
    organisations/s while busy;
  * end to end: upload start → the last consumer done (organisations/s);
  * the baseline measured in the same run: a raw nats-py JetStream loop (pull 256 at a time + ack each) over N
    messages of the same size on a scratch stream, and each consumer's ratio to it;
  * each process's CPU time from the upload's start to the end, per organisation (the machine is shared: CPU time
    per organisation moves far less with the load than wall-clock rates do).

Then it checks what every consumer stored, in its own database: each imported organisation exactly once (a Party
record and its registration count-history row, a credit profile, a procurement bidder with its credit colour, a
cultivation organisation, and one change-feed entry per event: registered, credit profile opened, Party record
opened), and looks up `--lookups` of them at random through the gateway (`GET /v1/code/{uscc}`, one at a time, none
looked up before: each a cold lookup): each profile complete (no pending or missing source), the lookups' p50/p99.

`--kill a,b` SIGKILLs those (any of registry, credit, procurement, party, cultivation, gateway: each with its
consumers process, `<name>-consumers`, when they run apart as under `make run`) when party
has taken in `--kill-at` (default 0.5) of the import's bulk events, starts them again at once, and looks up
`--lookups` organisations through the gateway as soon as they answer ready (the lookups right after the restart);
the stored-state check above then shows whether the kill lost or doubled anything.

Usage: python bench/bulk_propagation.py [N] [--postgres] [--profile DIR] [--kill a,b] [--kill-at F] [--lookups K]
(default N = 100,000; 1,000,000 for a province). `--profile DIR` samples every process with py-spy (installed apart:
`pip install py-spy`) from the upload's start to the end and writes DIR/<process>.txt (collapsed stacks, for
flamegraph.pl or speedscope).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import importlib.util
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import nats

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))

from gateway_profile import memory_mb, remove_data  # noqa: E402
from registry_lookup import CHUNK, csv_chunk, organisations  # noqa: E402


def write_csv(path: Path, n: int, sample: int = 0, seed: int = 11) -> list[str]:
    """N organisations as one CSV file (BOM, one header), written CHUNK rows at a time. Returns `sample` of their
    USCCs picked at random as they are written (the same for the same n, sample), in random order."""
    picked = set(random.Random(seed).sample(range(n), min(sample, n)))
    out: list[str] = []
    with path.open("wb") as f:
        batch: list[tuple] = []
        for i, row in enumerate(organisations(n)):
            batch.append(row)
            if i in picked:
                out.append(row[0])
            if len(batch) == CHUNK:
                _append(f, batch)
                batch = []
        if batch:
            _append(f, batch)
    random.Random(seed).shuffle(out)
    return out


def import_file(client: httpx.Client, jobs_url: str, path: Path, *, every: float = 0.5,
                on_poll: Callable[[dict], None] | None = None) -> tuple[dict, float]:
    """`path` in one streamed request to the import-job endpoint `{jobs_url}/exchange/import-jobs` (through the
    gateway: `/api/registry/v1`; the registry itself: `/v1`), as `yishe import` sends it; the job followed every
    `every` seconds (`on_poll` sees each state) to its end. Returns the finished job and the upload's seconds."""
    from yishe_kit.jobs import FINISHED

    started = time.perf_counter()
    with path.open("rb") as f:
        resp = client.post(f"{jobs_url}/exchange/import-jobs", params={"format": "csv", "source": "bench"},
                           content=iter(lambda: f.read(1 << 20), b""), headers={"content-type": "text/csv"})
    assert resp.status_code == 202, resp.text[:500]
    upload_s = time.perf_counter() - started
    job = resp.json()
    busy = 0
    waits: list[float] = []  # each progress request's own time: how the busy service answers its callers
    while job["state"] not in FINISHED:
        time.sleep(every)
        asked = time.perf_counter()
        polled = client.get(f"{jobs_url}/jobs/{job['job_id']}")
        waits.append((time.perf_counter() - asked) * 1000)
        if polled.status_code in (502, 503, 504):  # the registry busy past the gateway's timeout: ask again, as
            busy += 1  # `yishe import` does (gateway/cli.py)
            continue
        assert polled.status_code == 200, polled.text[:500]
        job = polled.json()
        if on_poll is not None:
            on_poll(job)
    if busy:
        print(f"  (the job's progress answered 502/503/504 {busy} times while it ran; asked again each time)")
    if waits:
        waits.sort()
        print(f"  the job's progress while it ran ({len(waits)} requests, one every {every:g} s): p50 "
              f"{waits[len(waits) // 2]:.1f} ms, p99 {waits[min(len(waits) - 1, len(waits) * 99 // 100)]:.1f} ms, "
              f"max {waits[-1]:.1f} ms")
    assert job["state"] == "succeeded" and job["result"]["failed"] == 0, str(job)[:1000]
    return job, upload_s


def _append(f, batch: list[tuple]) -> None:
    body = csv_chunk(batch)
    f.write(body if f.tell() == 0 else body.split(b"\n", 1)[1])

IMPORTED = "registry.organisations.imported.v1"  # a bulk import's registrations, up to 1,000 a message
CASCADE = "credit.profiles.opened.v1"  # credit's profiles opened for them, in bulk (up to 1,000 a message)
PARTY_CASCADE = "party.records.opened.v1"  # party's records opened for them, in bulk (up to 1,000 a message)
WATCHED = [(IMPORTED, svc) for svc in ("party", "credit", "procurement", "cultivation", "gateway")] + [
    (CASCADE, svc) for svc in ("procurement", "cultivation", "gateway")] + [(PARTY_CASCADE, "gateway")]
UPSTREAM = {IMPORTED: None, CASCADE: "credit", PARTY_CASCADE: "party"}  # the consumer whose handling makes each


def _load_stack():
    spec = importlib.util.spec_from_file_location("yishe_stack", ROOT / "scripts" / "stack.py")
    mod = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = mod
    spec.loader.exec_module(mod)
    return mod


async def raw_consume_rate(url: str, n: int, size: int) -> float:
    """Baseline: events/s of a bare nats-py JetStream pull loop (batch 256, ack each) over n waiting messages."""
    nc = await nats.connect(url)
    js = nc.jetstream()
    name = "BENCHRAW"
    with contextlib.suppress(Exception):
        await js.delete_stream(name)
    await js.add_stream(name=name, subjects=["benchraw.>"])
    payload = b"x" * size
    for i in range(0, n, 1000):
        futures = [await js.publish_async("benchraw.e", payload) for _ in range(min(1000, n - i))]
        await asyncio.gather(*futures)
    psub = await js.pull_subscribe("benchraw.e", durable="raw", stream=name)
    got, started = 0, time.perf_counter()
    while got < n:
        msgs = await psub.fetch(min(256, n - got), timeout=5)
        for m in msgs:
            await m.ack()
        got += len(msgs)
    rate = n / (time.perf_counter() - started)
    await js.delete_stream(name)
    await nc.close()
    return rate


async def consumer_state(js, stream: str, durable: str) -> tuple[int, int]:
    """(stream sequence acked through, messages still pending or unacked) of a durable; (0, -1) before it exists."""
    try:
        info = await js.consumer_info(stream, durable)
    except Exception:
        return 0, -1
    return info.ack_floor.stream_seq, info.num_pending + info.num_ack_pending


async def outbox_drained(client: httpx.AsyncClient) -> bool:
    """The producer's relay has published every outbox row (its readiness report's outbox lag is 0); not while it
    is down (killed, starting again)."""
    try:
        resp = await client.get("/health/ready")
    except httpx.TransportError:
        return False
    return resp.status_code == 200 and resp.json()["checks"].get("outbox_lag") == 0


async def watch(url: str, stack, started: float, kill: Kill | None = None) -> dict[str, tuple[float, float]]:
    """Wait until every consumer has acked every event of the import (the registry's bulk events) and of its
    cascades (credit's profiles and party's records opened for them); per (consumer, subject) its (done at, first
    progress at), seconds since `started`. A subject's last sequence is read once its producer's outbox is drained,
    after the upstream consumers that make it are done. `kill`: its processes are killed and started again (in a
    thread, the watch going on) once party has acked its share of the import's events."""
    nc = await nats.connect(url)
    js = nc.jetstream()
    done: dict[str, tuple[float, float]] = {}
    first: dict[str, float] = {}
    killing: asyncio.Future | None = None
    async with httpx.AsyncClient(base_url=stack.url("registry")) as registry, \
            httpx.AsyncClient(base_url=stack.url("credit")) as credit, \
            httpx.AsyncClient(base_url=stack.url("party")) as party:
        producers = {IMPORTED: registry, CASCADE: credit, PARTY_CASCADE: party}
        last: dict[str, int] = {}
        while len(done) < len(WATCHED) or (killing is not None and not killing.done()):
            if kill is not None and killing is None and IMPORTED in last:
                acked, _ = await consumer_state(js, "REGISTRY", f"party-{IMPORTED.replace('.', '-')}")
                if acked >= kill.at * last[IMPORTED]:
                    kill.acked = (acked, last[IMPORTED])
                    kill.at_seconds = time.perf_counter() - started
                    kill.started = started
                    killing = asyncio.ensure_future(asyncio.to_thread(kill.run, stack))
            for subject, svc in WATCHED:
                key = f"{svc} {subject}"
                if key in done:
                    continue
                stream = subject.split(".")[0].upper()
                if subject not in last:
                    upstream_done = UPSTREAM[subject] is None or f"{UPSTREAM[subject]} {IMPORTED}" in done
                    if not (upstream_done and await outbox_drained(producers[subject])):
                        acked, _ = await consumer_state(js, stream, f"{svc}-{subject.replace('.', '-')}")
                        if acked > 0:
                            first.setdefault(key, time.perf_counter() - started)
                        continue
                    last[subject] = (await js.get_last_msg(stream, subject)).seq
                acked, left = await consumer_state(js, stream, f"{svc}-{subject.replace('.', '-')}")
                now = time.perf_counter() - started
                if acked > 0:
                    first.setdefault(key, now)
                if acked >= last[subject] and left == 0:
                    done[key] = (now, first.get(key, now))
            await asyncio.sleep(0.2)
    if killing is not None:
        await killing  # its failure is the run's
    await nc.close()
    return done


BODY = "BM"  # every benchmark organisation's USCC body starts so (registry_lookup.organisations): positions 9-10
REGISTERED, PROFILE_OPENED, RECORD_OPENED = ("registry.organisation.registered.v1", "credit.profile.opened.v1",
                                             "party.record.opened.v1")
LEDGER = [  # (process, what it stored for each imported organisation, its rows and distinct organisations)
    ("party", "Party records", "SELECT count(*), count(DISTINCT uscc) FROM party_record WHERE {imported}"),
    ("party", "registration count-history rows", "SELECT count(*), count(DISTINCT uscc) FROM party_count_change "
                                                 "WHERE reason = 'registration' AND {imported}"),
    ("credit", "credit profiles", "SELECT count(*), count(DISTINCT uscc) FROM credit_profile WHERE {imported}"),
    ("procurement", "bidders with their credit colour", "SELECT count(*), count(DISTINCT uscc) FROM bidder "
                                                        "WHERE credit_colour IS NOT NULL AND {imported}"),
    ("cultivation", "organisations with their credit colour",
     "SELECT count(*), count(DISTINCT uscc) FROM cult_organisation WHERE colour IS NOT NULL AND {imported}"),
    *[("gateway", f"change-feed entries {subject}", "SELECT count(*), count(DISTINCT uscc) FROM feed_entry "
       f"WHERE subject = '{subject}' AND {{imported}}") for subject in (REGISTERED, PROFILE_OPENED, RECORD_OPENED)],
]


async def stored(stack, body: str = BODY) -> list[tuple[str, str, int, int]]:
    """What each consumer stored for the organisations whose USCC body starts with `body`, read in its own database:
    (process, what, rows, distinct organisations). Each imported organisation exactly once: rows == distinct == N."""
    imported = f"substr(uscc, 9, {len(body)}) = '{body}'"
    out = []
    for name, what, sql in LEDGER:
        ((rows, distinct),) = await stack.fetch(name, sql.format(imported=imported))
        out.append((name, what, int(rows), int(distinct)))
    return out


def lookups(gateway_url: str, usccs: list[str]) -> tuple[list[float], int, dict[str, int]]:
    """`GET /v1/code/{uscc}` for each, one at a time, as the public scanning a code: each answer's ms (sorted), how
    many were 200 with a complete profile (no source pending or missing), and what the others were (count by kind)."""
    times, complete, other = [], 0, {}
    with httpx.Client(base_url=gateway_url, timeout=30) as client:
        for uscc in usccs:
            asked = time.perf_counter()
            resp = client.get(f"/v1/code/{uscc}")
            times.append((time.perf_counter() - asked) * 1000)
            if resp.status_code != 200:
                other[str(resp.status_code)] = other.get(str(resp.status_code), 0) + 1
                continue
            body = resp.json()
            missing = [*(body.get("pending_sources") or []), *(body.get("missing_sources") or [])]
            if missing:
                for source in missing:
                    other[f"{source} not there"] = other.get(f"{source} not there", 0) + 1
            else:
                complete += 1
    return sorted(times), complete, other


def describe_lookups(label: str, result: tuple[list[float], int, dict[str, int]]) -> str:
    times, complete, other = result
    if not times:
        return f"  {label}: none"
    p = lambda q: times[min(len(times) - 1, int(len(times) * q))]  # noqa: E731
    rest = "; " + ", ".join(f"{k}: {v}" for k, v in sorted(other.items())) if other else ""
    return (f"  {label}: {len(times):,} lookups one at a time, p50 {p(0.5):.1f} ms, p99 {p(0.99):.1f} ms, max "
            f"{times[-1]:.1f} ms; {complete:,} complete profiles{rest}")


@dataclass
class Kill:
    """Processes to kill -9 once party has acked `at` of the import's bulk events, and start again at once."""

    victims: list[str]
    at: float
    sample: list[str]
    """The organisations looked up through the gateway as soon as the victims answer ready again."""
    cpu_before: dict[str, float] = field(default_factory=dict)
    cpu_spent: dict[str, float] = field(default_factory=dict)
    lag_before: dict[str, dict[float, float]] = field(default_factory=dict)
    lag_spans: dict[str, tuple[dict[float, float], dict[float, float]]] = field(default_factory=dict)
    peaks: dict[str, float] = field(default_factory=dict)
    acked: tuple[int, int] = (0, 0)
    at_seconds: float = 0.0
    ready_after: dict[str, float] = field(default_factory=dict)
    after: tuple[list[float], int, dict[str, int]] = ([], 0, {})
    started: float = 0.0
    """The upload's start (`time.perf_counter()`), set by `watch`."""
    looked_up: tuple[float, float] = (0.0, 0.0)
    """When the lookups right after the restart began and ended, in seconds from the upload's start."""

    def run(self, stack) -> None:
        processes = [p for name in self.victims for p in stack.processes(name)]  # with their consumers apart
        for name in processes:  # what the killed process had used, kept: /proc forgets it
            pid = stack.procs[name].pid
            self.cpu_spent[name] = cpu_seconds(pid) - self.cpu_before.get(name, 0.0)
            self.peaks[name] = memory_mb({name: pid})[name][1]
            self.lag_spans[name] = (self.lag_before.get(name, {}), loop_lag(scrape(_process_url(stack, name))))
            self.lag_before[name] = {}  # the new process's histogram starts at zero
        for name in self.victims:
            stack.kill(name)
        for name in self.victims:
            self.ready_after[name] = stack.relaunch(name)
        for name in processes:
            self.cpu_before[name] = 0.0  # the new process counted from its start
        began = time.perf_counter() - self.started
        self.after = lookups(stack.gateway_url, self.sample)
        self.looked_up = (began, time.perf_counter() - self.started)

    def describe(self) -> str:
        acked, last = self.acked
        return (f"  killed -9 {', '.join(self.victims)} {self.at_seconds:,.1f} s after the upload's start (party had "
                f"acked the import's stream through {acked:,} of {last:,}); ready again after " + ", ".join(
                    f"{name} {secs:.1f} s" for name, secs in self.ready_after.items()))


def scrape(url: str) -> list:
    """A process's metric families from its /metrics (empty when it cannot be read)."""
    from prometheus_client.parser import text_string_to_metric_families

    try:
        return list(text_string_to_metric_families(httpx.get(f"{url}/metrics", timeout=10).text))
    except httpx.HTTPError:
        return []


def loop_lag(families: list) -> dict[float, float]:
    """A process's event-loop lag histogram (`yishe_event_loop_lag_seconds`, from `scrape`): observations at or
    under each bucket's bound (cumulative; `inf` is the count). Empty when it could not be read."""
    return {float(sample.labels["le"]): sample.value for family in families
            if family.name == "yishe_event_loop_lag_seconds" for sample in family.samples
            if sample.name.endswith("_bucket")}


def relay_counts(families: list) -> tuple[int, int] | None:
    """A process's relay (from `scrape`): events published, and of those the ones the stream already held."""
    found = {sample.name: int(sample.value) for family in families for sample in family.samples
             if sample.name.startswith("yishe_relay_")}
    published = found.get("yishe_relay_published_events_total")
    return None if published is None else (published, found.get("yishe_relay_duplicate_events_total", 0))


def lag_delta(*spans: tuple[dict[float, float], dict[float, float]]) -> dict[float, float]:
    """The observations between each (before, after) pair of one process's histograms (a killed process: two spans)."""
    out: dict[float, float] = {}
    for before, after in spans:
        for le, count in after.items():
            out[le] = out.get(le, 0.0) + count - before.get(le, 0.0)
    return out


def describe_lag(name: str, buckets: dict[float, float]) -> str:
    """`name`: its probes, the share more than 10 ms and 100 ms late, and the bound the 99th percentile is under."""
    total = buckets.get(float("inf"), 0.0)
    if not total:
        return f"{name} –"
    late = lambda bound: (total - buckets.get(bound, 0.0)) / total  # noqa: E731
    p99 = next((le for le in sorted(buckets) if buckets[le] >= 0.99 * total), float("inf"))
    return f"{name} p99 ≤ {p99 * 1000:,.0f} ms, >10 ms {late(0.01):.1%}, >100 ms {late(0.1):.1%}"


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def start_profilers(procs: dict, out: Path | None) -> list[subprocess.Popen]:
    """py-spy record on each process (collapsed stacks + flame graph), stopped with SIGINT at the end."""
    if out is None:
        return []
    spy = shutil.which("py-spy") or os.environ.get("PY_SPY")
    if spy is None:
        raise SystemExit("--profile needs py-spy on PATH (or PY_SPY=/path/to/py-spy)")
    out.mkdir(parents=True, exist_ok=True)
    spies = []
    for name, proc in procs.items():
        for fmt, ext in (("raw", "txt"),):
            spies.append(subprocess.Popen([spy, "record", "--pid", str(proc.pid), "--rate", "50", "--format", fmt,
                                           "--output", str(out / f"{name}.{ext}"), "--nonblocking"],
                                          stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
    return spies


def stop_profilers(spies: list[subprocess.Popen]) -> None:
    import signal

    for spy in spies:
        spy.send_signal(signal.SIGINT)
    for spy in spies:
        with contextlib.suppress(subprocess.TimeoutExpired):
            spy.wait(timeout=60)


def main(n: int, postgres: bool, profile: Path | None = None, kill: list[str] | None = None, kill_at: float = 0.5,
         lookups_n: int = 1000) -> None:
    from yishe_kit.testing import create_pg_database, free_port

    # The lookups are the public's, one address: the bench measures the platform, not its per-address limit (EDGE-5).
    os.environ.setdefault("GATEWAY_RATE_LIMIT__ANONYMOUS", "100000/second")
    mod = _load_stack()
    db_urls = {}
    if postgres:
        db_urls = {svc: create_pg_database(f"yishe_bench_bulk_{svc}") for svc in [*mod.SERVICES, "gateway"]}
    stack = mod.Stack(data_dir=Path(tempfile.mkdtemp(prefix="yishe-bench-bulk-")), nats_port=free_port(),
                      gateway_port=free_port(), ports={svc: free_port() for svc in mod.SERVICES}, nats_url=None,
                      db_urls=db_urls)
    stack.start()
    try:
        report(n, postgres, profile, stack, db_urls, kill or [], kill_at, lookups_n)
    finally:
        remove_data(stack.data_dir)


def report(n: int, postgres: bool, profile: Path | None, stack, db_urls: dict[str, str], kill: list[str],
           kill_at: float, lookups_n: int) -> None:
    """Run the import and its propagation on the started `stack` (killing and restarting `kill` on the way), check
    what every consumer stored, look profiles up, stop it and print the figures."""
    try:
        csv_file = stack.data_dir / "organisations.csv"
        # Two samples: the one looked up right after a restart would be held by the gateway at the end.
        sample = write_csv(csv_file, n, sample=2 * lookups_n)
        after_restart, at_end = sample[:lookups_n], sample[lookups_n:]
        size = len(csv_chunk([next(organisations(1))])) * 4  # about an event's size
        baseline = asyncio.run(raw_consume_rate(stack.nats_url, min(n, 100_000), size))
        load_before = os.getloadavg()[0]
        cpu_before = {name: cpu_seconds(proc.pid) for name, proc in stack.procs.items()}
        lag_before = {name: loop_lag(scrape(_process_url(stack, name))) for name in stack.procs}
        killing = Kill(kill, kill_at, after_restart, cpu_before=cpu_before, lag_before=lag_before) if kill else None
        spies = start_profilers(stack.procs, profile)
        started = time.perf_counter()
        token = (stack.data_dir / "dev-token").read_text().strip()
        with httpx.Client(base_url=stack.gateway_url, timeout=600, headers={"authorization": f"Bearer {token}"}) as c:
            _, upload_s = import_file(c, "/api/registry/v1", csv_file)
        import_s = time.perf_counter() - started
        done = asyncio.run(watch(stack.nats_url, stack, started, killing))
        stop_profilers(spies)
        spent = killing.cpu_spent if killing else {}
        cpu = {name: spent.get(name, 0.0) + cpu_seconds(proc.pid) - cpu_before[name]
               for name, proc in stack.procs.items() if name in cpu_before}
        peaks = {name: max(peak, killing.peaks.get(name, 0.0) if killing else 0.0) for name, (_, peak) in memory_mb(
            {name: proc.pid for name, proc in stack.procs.items() if name in cpu_before}).items()}
        scraped = {name: scrape(_process_url(stack, name)) for name in stack.procs}  # once each, for both below
        lag = {name: lag_delta(*([killing.lag_spans[name]] if killing and name in killing.lag_spans else []),
                               (lag_before.get(name, {}), loop_lag(scraped[name]))) for name in lag_before}
        relays = {name: relay_counts(families) for name, families in scraped.items()}
        load_after = os.getloadavg()[0]
        ledger = asyncio.run(stored(stack))
        after_all = lookups(stack.gateway_url, at_end)
        sizes = asyncio.run(storage(stack, db_urls))
    finally:
        stack.stop()
    backend = "PostgreSQL" if postgres else "SQLite (embedded default)"
    print(f"bulk propagation of {n:,} organisations on {backend}, {os.cpu_count()} cores, every process on this "
          f"machine (1-min load average {load_before:.1f} at the start, {load_after:.1f} at the end):")
    print(f"  import (one streamed {csv_file.stat().st_size / 2**20:,.0f} MiB CSV through the gateway, a job): "
          f"{n / import_s:,.0f} rows/s ({import_s:,.1f} s from the upload's start to the job's end; upload and "
          f"spool {upload_s:,.1f} s)")
    print(f"  baseline raw nats-py JetStream pull+ack loop: {baseline:,.0f} events/s")
    for subject, svc in WATCHED:
        end, first = done[f"{svc} {subject}"]
        busy = max(end - first, 1e-3)
        print(f"  {svc:<12} {subject:<36} all in after {end:8.1f} s   {n / busy:8,.0f} organisations/s while busy"
              f"   ratio to raw {n / busy / baseline:.3f}")
    total = max(end for end, _ in done.values())
    if killing is not None:
        print(killing.describe())
        began, ended = killing.looked_up
        print(describe_lookups(f"right after the restart ({began:,.1f}–{ended:,.1f} s after the upload's start; every "
                               f"consumer done at {total:,.1f} s)", killing.after))
    wrong = [(name, what, rows, distinct) for name, what, rows, distinct in ledger if (rows, distinct) != (n, n)]
    print(f"  stored, each imported organisation exactly once (rows = organisations = {n:,}): " + (
        "every check holds (" + ", ".join(f"{name} {what}" for name, what, _, _ in ledger) + ")" if not wrong else
        "NOT SO: " + "; ".join(f"{name} {what}: {rows:,} rows for {distinct:,} organisations"
                               for name, what, rows, distinct in wrong)))
    print(describe_lookups("the profiles at the end (others, not held by the gateway)", after_all))
    print("  peak RSS of each process over the whole run (import and propagation; target ≤ 200 MB each): " + ", ".join(
        f"{name} {mb:,.0f} MB" for name, mb in sorted(peaks.items(), key=lambda x: -x[1])))
    print("  event-loop lag from the upload's start to the end (what a request to the process waited before its "
          "first step; a probe every 0.25 s): " + ", ".join(describe_lag(name, lag[name]) for name in lag))
    print("  relays, events published (of them already in the stream, dropped as duplicates; a killed process's "
          "count starts again at its restart): " + ", ".join(
              f"{name} {counts[0]:,} ({counts[1]:,})" for name, counts in relays.items() if counts and counts[0]))
    print("  CPU time from the upload's start to the end (every process): " + ", ".join(
        f"{name} {sec:,.1f} s ({sec / n * 1e6:,.0f} µs/org)" for name, sec in sorted(cpu.items(), key=lambda x: -x[1])))
    print(f"  end to end: upload start → every consumer done {total:,.1f} s = {n / total:,.0f} organisations/s "
          f"(target ≥ 1,700/s: 1,000,000 in ≤ 10 min)")
    databases, stream_bytes, events = sizes
    print(f"  storage after the run ({'pg_database_size' if postgres else 'SQLite files with their WAL'}; outbox and "
          f"inbox rows included, as within their 7-day retention), per 1,000,000 organisations: " + ", ".join(
              f"{svc} {b / n * 1e6 / 2**30:,.2f} GiB" for svc, b in databases.items())
          + f"; all {sum(databases.values()) / n * 1e6 / 2**30:,.2f} GiB")
    if events:
        print(f"  JetStream: {events:,} events in {stream_bytes / 2**20:,.1f} MiB (one replica) = "
              f"{stream_bytes / events * 1e7 / 2**30:,.2f} GiB per 10,000,000 events "
              f"({stream_bytes / events:,.0f} B each; bulk events carry up to 1,000 organisations), "
              f"{stream_bytes / n * 1e6 / 2**30:,.2f} GiB per 1,000,000 organisations imported")


async def storage(stack, db_urls: dict[str, str]) -> tuple[dict[str, int], int, int]:
    """Each service's database size, and the bytes and messages JetStream holds (every stream but the DLQ)."""
    databases: dict[str, int] = {}
    for svc in [*stack.ports, "gateway"]:
        if db_urls:
            ((size,),) = await stack.fetch(svc, "SELECT pg_database_size(current_database())")
            databases[svc] = int(size)
        else:
            databases[svc] = sum(f.stat().st_size for f in stack.data_dir.glob(f"{svc}.db*"))
    nc = await nats.connect(stack.nats_url)
    try:
        infos = [i for i in await nc.jetstream().streams_info() if i.config.name != "DLQ"]
    finally:
        await nc.close()
    return databases, sum(i.state.bytes for i in infos), sum(i.state.messages for i in infos)


def _process_url(stack, name: str) -> str:
    return f"http://{stack.host}:{stack.bound[name]}"


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("n", nargs="?", type=int, default=100_000, help="organisations (default 100,000)")
    parser.add_argument("--postgres", action="store_true", help="a PostgreSQL database per service (127.0.0.1)")
    parser.add_argument("--profile", type=Path, help="py-spy every process into this directory")
    parser.add_argument("--kill", type=lambda v: [x for x in v.split(",") if x], default=[],
                        help="processes to kill -9 during the propagation and start again (e.g. party,gateway)")
    parser.add_argument("--kill-at", type=float, default=0.5,
                        help="when party has acked this share of the import's bulk events (default 0.5)")
    parser.add_argument("--lookups", type=int, default=1000, help="profiles looked up through the gateway")
    args = parser.parse_args(argv)
    known = {"registry", "credit", "procurement", "party", "cultivation", "gateway"}
    if set(args.kill) - known:
        parser.error(f"--kill: not a process of the stack: {sorted(set(args.kill) - known)} (one of {sorted(known)})")
    if not 0 < args.kill_at < 1:
        parser.error("--kill-at: a share of the import's events, between 0 and 1")
    return args


if __name__ == "__main__":
    opts = parse_args(sys.argv[1:])
    main(opts.n, opts.postgres, opts.profile, opts.kill, opts.kill_at, opts.lookups)
