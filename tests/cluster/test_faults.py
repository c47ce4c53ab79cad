"""Issue 16: the replicated platform (`make run-cluster`'s code: two replicas of every service and the gateway behind
HAProxy, a three-node NATS JetStream cluster with R3 streams, one PostgreSQL database and role per service) loses and
doubles nothing while, during registrations and a bulk import, one NATS node, one replica of each service and one
gateway replica are killed with SIGKILL and started again.

Afterwards every service holds every organisation exactly once, the feed has one registration event per organisation
(and either gateway replica answers the same feed page), every registered organisation's profile is complete, and the
error rate and p99 latency the clients saw (during the faults and over the whole run) are printed.

Before those faults, the PostgreSQL server itself is crashed (`pg_ctl stop -m immediate`) under the same load and
started again a few seconds later: the platform runs on a server of the test's own (`PrivatePostgres`, wherever
`initdb` is installed; `CLUSTER_PRIVATE_PG=0` uses the machine's server at YISHE_TEST_PG_URL instead, which is never
restarted). Services wait for their database (consumers hold their messages; requests answer 503), clients retry
with their Idempotency-Key, and the import job, failed by the outage, is started again.

Sizes (environment): CLUSTER_REGISTRATIONS (default 2000), CLUSTER_IMPORT_ROWS (default 20000), the issue's sizes,
and CLUSTER_WORKERS (concurrent registering clients, default 6).
Run with `make test-cluster` (the `cluster` marker is excluded from `make test`).
"""

from __future__ import annotations

import asyncio
import importlib.util
import os
import sys
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import asyncpg
import httpx
import pytest
from registration_bodies import direct_registration, han_word

from yishe_contracts.identifiers import encode_sequence, make_uscc
from yishe_kit.testing import PrivatePostgres, eventually, free_port, pg_admin_url, postgres_binaries

pytestmark = [pytest.mark.cluster, pytest.mark.timeout(1800)]

ROOT = Path(__file__).resolve().parents[2]
REGISTRATIONS = int(os.environ.get("CLUSTER_REGISTRATIONS", "2000"))
IMPORT_ROWS = int(os.environ.get("CLUSTER_IMPORT_ROWS", "20000"))
WORKERS = int(os.environ.get("CLUSTER_WORKERS", "6"))
REGISTERED = "registry.organisation.registered.v1"
HEADER = "统一社会信用代码,名称,类型,登记管理机关区划代码,住所,法定代表人,业务范围,状态,成立登记日期,活动资金"
TRADE = "春夏秋冬梅兰竹菊松柏山川河海星辰日月风云金木水火土天地玄黄宇宙洪荒寒来暑往收藏闰余成岁律吕调阳"
# Each service's table with one row per organisation it knows (uscc is its primary key).
HOLDERS = {"registry": "organisation", "credit": "credit_profile", "party": "party_record",
           "procurement": "bidder", "cultivation": "cult_organisation"}


def _cluster_module():
    spec = importlib.util.spec_from_file_location("yishe_cluster", ROOT / "scripts" / "cluster.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[object]:
    mod = _cluster_module()
    base = int(os.environ.get("CLUSTER_TEST_PORT_BASE", "18500"))
    private = None
    if os.environ.get("CLUSTER_PRIVATE_PG", "1") == "1" and postgres_binaries() is not None:
        private = PrivatePostgres().start()
    admin = private.admin_url if private else pg_admin_url()
    c = mod.Cluster(data_dir=tmp_path_factory.mktemp("cluster"), gateway_port=free_port(), port_base=base,
                    nats_base=int(os.environ.get("CLUSTER_TEST_NATS_PORT", "16522")),
                    pg_admin=admin, db_prefix=f"yishe_clustertest_{os.getpid()}_")
    c.__post_init__()
    c.private_pg = private
    try:
        c.start()
        yield c
    finally:
        c.stop()
        if private is not None:
            private.close()
        else:
            c.drop_databases()


def import_csv(n: int) -> tuple[bytes, list[str]]:
    codes, lines = [], [HEADER]
    for i in range(n):
        a, b = divmod(i, len(TRADE))
        c, a = divmod(a, len(TRADE))
        uscc = make_uscc(category="1", division_code="330304", body8="CL" + encode_sequence(i, 6))
        codes.append(uscc)
        lines.append(f"{uscc},温州市瓯海区{TRADE[c % len(TRADE)]}{TRADE[a]}{TRADE[b]}互助协会,社会团体,330304,"
                     f"温州市瓯海区娄桥街道1号,李四,社区互助服务,active,2014-03-01,20000")
    return ("\ufeff" + "\n".join(lines) + "\n").encode(), codes


class Load:
    """What the clients saw: every attempt's latency and outcome, with its time."""

    def __init__(self) -> None:
        # (start, seconds, outcome: ok | limited | error, what: the status or the exception)
        self.attempts: list[tuple[float, float, str, str]] = []

    def record(self, start: float, outcome: str, what: str = "") -> None:
        self.attempts.append((start, time.monotonic() - start, outcome, what))

    def summary(self, since: float = 0.0, until: float = float("inf")) -> str:
        """The attempts running at some moment between `since` and `until`."""
        seen = [a for a in self.attempts if a[0] <= until and a[0] + a[1] >= since]
        if not seen:
            return "no requests"
        durations = sorted(a[1] for a in seen)
        errors = Counter(a[3] for a in seen if a[2] == "error")
        p99 = durations[min(len(durations) - 1, int(0.99 * len(durations)))]
        return (f"{len(seen)} requests, {errors.total()} errors ({100 * errors.total() / len(seen):.1f} %"
                f"{': ' + ', '.join(f'{k} ×{n}' for k, n in errors.most_common()) if errors else ''}), "
                f"p50 {durations[len(durations) // 2] * 1000:.0f} ms, p99 {p99 * 1000:.0f} ms")


async def register(client: httpx.AsyncClient, load: Load, body: dict) -> str:
    """One registration, sent again with the same Idempotency-Key until it is answered (never done twice)."""
    key = str(uuid.uuid4())
    while True:
        start = time.monotonic()
        try:
            resp = await client.post("/api/registry/v1/organisations", json=body, headers={"Idempotency-Key": key})
        except httpx.HTTPError as exc:
            load.record(start, "error", type(exc).__name__)
            await asyncio.sleep(0.5)
            continue
        if resp.status_code == 201:
            load.record(start, "ok")
            return str(resp.json()["uscc"])
        if resp.status_code == 429:
            load.record(start, "limited")
        elif resp.status_code >= 500 or resp.status_code == 409:  # a replica gone, or the first try still running
            load.record(start, "error", str(resp.status_code))
        else:
            raise AssertionError(f"registration refused: {resp.status_code} {resp.text}")
        await asyncio.sleep(0.5)


async def get(client: httpx.AsyncClient, url: str, **kwargs) -> httpx.Response:
    """A GET as a well-behaved client makes it: a 429 is waited out for its Retry-After and asked again.

    The test's staff key is limited (EDGE-1) like any caller's, and the checks below ask two thousand profiles in a
    row; a refusal for speed says nothing about whether the data is there.
    """
    for _ in range(20):
        resp = await client.get(url, **kwargs)
        if resp.status_code != 429:
            return resp
        await asyncio.sleep(float(resp.headers.get("Retry-After", "1")))
    return resp


async def run_import(client: httpx.AsyncClient, body: bytes) -> dict:
    """The import as a job, started again (re-running changes nothing) if a killed replica interrupted it."""
    params = {"format": "csv", "source": "cluster-fault-test.csv"}
    while True:
        try:
            resp = await client.post("/api/registry/v1/exchange/import-jobs", params=params, content=body,
                                     headers={"Content-Type": "text/csv"})
        except httpx.HTTPError:
            await asyncio.sleep(1)
            continue
        if resp.status_code == 409:  # the same file is being imported (a run that is still going)
            await asyncio.sleep(2)
            continue
        if resp.status_code != 202:
            await asyncio.sleep(1)
            continue
        job_id = resp.json()["job_id"]
        while True:
            await asyncio.sleep(1)
            try:
                job = (await client.get(f"/api/registry/v1/jobs/{job_id}")).json()
            except (httpx.HTTPError, ValueError):
                continue
            if job.get("state") in ("succeeded", "failed", "interrupted", "cancelled"):
                break
        if job["state"] == "succeeded":
            return job
        print(f"cluster test: import job {job['state']} ({job.get('error')}); starting it again", flush=True)


def back_up(cluster, name: str, attempts: int = 5) -> None:
    """Wait until a restarted replica is ready, starting it again if it exits on the way (as the supervisor of
    `make run-cluster` would: e.g. no database connection to be had at that moment)."""
    for attempt in range(attempts):
        try:
            cluster._wait_ready(name)
            return
        except RuntimeError as exc:
            print(f"cluster test: {name} exited while starting (attempt {attempt + 1}): {str(exc)[-300:]}", flush=True)
            time.sleep(2)
            cluster.restart(name)
    cluster._wait_ready(name)


async def holders(cluster, name: str, table: str, column: str = "uscc", where: str = "") -> list[str]:
    conn = await asyncpg.connect(cluster.pg_admin.rsplit("/", 1)[0] + f"/{cluster.db_prefix}{name}")
    try:
        return [r[0] for r in await conn.fetch(f"SELECT {column} FROM {table} {where}")]
    finally:
        await conn.close()


async def test_nothing_lost_or_doubled_when_a_nats_node_a_replica_of_each_service_and_a_gateway_are_killed(
        cluster) -> None:
    import nats

    headers = {"Authorization": f"Bearer {cluster.dev['staff']['token']}"}
    csv, imported = import_csv(IMPORT_ROWS)
    load = Load()
    limits = httpx.Limits(max_connections=WORKERS + 4, max_keepalive_connections=0)  # each request may meet a new
    async with httpx.AsyncClient(base_url=cluster.gateway_url, headers=headers, timeout=30, limits=limits) as client:
        queue: asyncio.Queue[dict] = asyncio.Queue()
        for _ in range(REGISTRATIONS):
            queue.put_nowait(direct_registration(f"温州市鹿城区{han_word()}协会"))
        registered: list[str] = []

        async def worker() -> None:
            while not queue.empty():
                registered.append(await register(client, load, queue.get_nowait()))

        began = time.monotonic()
        importing = asyncio.create_task(run_import(client, csv))
        workers = [asyncio.create_task(worker()) for _ in range(WORKERS)]
        pg_crash = None
        if cluster.private_pg is not None:  # the database server crashed under load, back 4 s later
            await eventually(lambda: asyncio.sleep(0, len(registered) >= REGISTRATIONS // 6), timeout=300,
                             interval=0.2)
            crashed_at = time.monotonic()
            await asyncio.to_thread(cluster.private_pg.stop, "immediate")
            print(f"cluster test: PostgreSQL crashed after {len(registered)} registrations", flush=True)
            await asyncio.sleep(4)
            await asyncio.to_thread(cluster.private_pg.start)
            pg_crash = (crashed_at, time.monotonic())
            print(f"cluster test: PostgreSQL back {pg_crash[1] - crashed_at:.1f} s after the crash", flush=True)
        await eventually(lambda: asyncio.sleep(0, len(registered) >= REGISTRATIONS // 3), timeout=300, interval=0.2)

        # The faults: the REGISTRY stream's leader node, one replica of each service, one gateway replica.
        nc = await nats.connect(servers=cluster.nats_url.split(","))
        leader = (await nc.jetstream().stream_info("REGISTRY")).cluster.leader
        await nc.close()
        victims = [leader, *(f"{svc}-1" for svc in HOLDERS), "gateway-1"]
        faults_at = time.monotonic()
        for name in victims:
            cluster.kill(name)
        print(f"cluster test: killed {victims} after {len(registered)} registrations", flush=True)
        await asyncio.sleep(5)
        for name in victims:
            cluster.restart(name)
        for name in victims:
            if not name.startswith("nats-"):
                await asyncio.to_thread(back_up, cluster, name)
        recovered_at = time.monotonic()
        print(f"cluster test: all restarted and ready {recovered_at - faults_at:.1f} s after the kill", flush=True)

        await asyncio.gather(*workers)
        await importing
        loaded_at = time.monotonic()
        assert len(registered) == len(set(registered)) == REGISTRATIONS
        expected = set(registered) | set(imported)

        async def converged() -> dict | None:
            seen = {svc: await holders(cluster, svc, table) for svc, table in HOLDERS.items()}
            seen["feed"] = await holders(cluster, "gateway", "feed_entry", where=f"WHERE subject = '{REGISTERED}'")
            return seen if all(set(v) == expected and len(v) == len(expected) for v in seen.values()) else None

        try:
            await eventually(converged, timeout=300, interval=2)
        finally:
            seen = {svc: await holders(cluster, svc, table) for svc, table in HOLDERS.items()}
            seen["feed"] = await holders(cluster, "gateway", "feed_entry", where=f"WHERE subject = '{REGISTERED}'")
            for where, codes in seen.items():
                print(f"cluster test: {where}: {len(codes)} rows, {len(set(codes))} distinct, "
                      f"{len(expected - set(codes))} missing, {len(set(codes) - expected)} unexpected", flush=True)
        settled_at = time.monotonic()

        # Every registered organisation's profile is complete through the gateway (either replica answers).
        # A source that does not answer within the fan-out's timeout is named in `pending_sources` (the profile
        # says it is partial); on a loaded machine some do on the first ask, so those are asked again: what must
        # hold is that every source has the organisation, not that each answered the first time.
        async def complete(uscc: str) -> dict | None:
            profile = (await get(client, f"/v1/code/{uscc}")).json()
            ok = not profile.get("pending_sources") and profile.get("credit") and profile.get("party") is not None
            return profile if ok else None

        asked_again = [uscc for uscc in registered if await complete(uscc) is None]
        incomplete = []
        for uscc in asked_again:
            try:
                await eventually(lambda u=uscc: complete(u), timeout=60, interval=1)
            except AssertionError:
                incomplete.append(uscc)
        print(f"cluster test: {len(registered) - len(asked_again)} profiles complete on the first ask, "
              f"{len(asked_again) - len(incomplete)} on a later one", flush=True)
        assert not incomplete, f"{len(incomplete)} incomplete profiles, e.g. {incomplete[:3]}"

        # The feed is the same whichever gateway replica answers.
        pages = []
        for r in (1, 2):
            url = f"http://{cluster.host}:{cluster.replica_port('gateway', r)}/v1/feed"
            resp = await get(client, url, params={"limit": 200})
            assert resp.status_code == 200, resp.text
            pages.append(resp.json())
        assert pages[0] == pages[1]

    crash = (f"  during the PostgreSQL crash (crash → back + 10 s): {load.summary(pg_crash[0], pg_crash[1] + 10)}"
             if pg_crash else "  PostgreSQL was not crashed (the machine's server: CLUSTER_PRIVATE_PG=0 or no initdb)")
    print(f"""
cluster test: {REGISTRATIONS} registrations by {WORKERS} clients and an import of {IMPORT_ROWS} rows; killed {victims}
{crash}
  during the faults (kill → all ready + 10 s): {load.summary(faults_at, recovered_at + 10)}
  whole run:                                   {load.summary()}
  load done {loaded_at - began:.0f} s after it began; every service and the feed complete \
{settled_at - loaded_at:.0f} s later""", flush=True)
