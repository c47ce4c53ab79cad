"""EDGE-5: rate-limit counters shared by every gateway replica through a NATS KV bucket (the default storage,
`nats-kv://`): two replicas against one real nats-server count one caller together, so the limit holds across them;
with NATS gone each replica keeps counting on its own (fails open to per-replica limits, never refuses everyone)."""

from __future__ import annotations

import asyncio
import uuid

import httpx
import pytest

from yishe_gateway.config import RateLimits
from yishe_gateway.edge.ratelimit import Limiter, SharedCounters
from yishe_gateway.errors import RateLimited
from yishe_gateway.main import create_app
from yishe_kit.settings import NatsSettings
from yishe_kit.testing import NatsServer, eventually

# An hour's window: the test never straddles two windows (they are aligned to the clock).
LIMIT = "10/hour"


def replica(nats_url: str, bucket: str) -> Limiter:
    return Limiter(RateLimits(bucket=bucket), "nats-kv://", NatsSettings(url=nats_url))


def admitted(limiter: Limiter, key: str, times: int) -> int:
    ok = 0
    for _ in range(times):
        try:
            limiter.hit(LIMIT, key)
            ok += 1
        except RateLimited:
            pass
    return ok


async def knows(limiter: Limiter, total: int) -> None:
    """Wait until the replica's watch of the bucket has shown it `total` (each test has its own bucket)."""
    storage = limiter.storage
    assert isinstance(storage, SharedCounters)

    async def check() -> bool:
        return any(seen[0] == total for seen in storage.seen.values())

    await eventually(check)


@pytest.fixture
def bucket() -> str:
    return f"rate_test_{uuid.uuid4().hex[:8]}"


async def test_two_replicas_share_one_counter_so_the_limit_holds_across_them(nats_server, bucket) -> None:
    """EDGE-5: 6 calls at one replica, then the other admits only the 4 left of the 10, and both refuse after."""
    a, b = replica(nats_server.url, bucket), replica(nats_server.url, bucket)
    await a.connect()
    await b.connect()
    try:
        assert admitted(a, "caller", 6) == 6
        await a.sync()
        await knows(b, 6)
        assert admitted(b, "caller", 5) == 4  # a caller b had not seen: it knows a's 6 from the bucket
        await b.sync()
        await knows(a, 11)
        assert admitted(a, "caller", 1) == 0
        assert a.shared and b.shared
        with pytest.raises(RateLimited) as refused:
            b.hit(LIMIT, "caller")
        assert 1 <= refused.value.retry_after <= 3600
        assert admitted(a, "someone else", 1) == 1  # per caller
    finally:
        await a.close()
        await b.close()


async def test_replicas_adding_at_once_lose_no_call(nats_server, bucket) -> None:
    """EDGE-5: three replicas adding at the same moment (revision-checked updates) lose nothing: 3 × 3 calls are 9
    in the bucket, and one call is left of 10."""
    replicas = [replica(nats_server.url, bucket) for _ in range(3)]
    for r in replicas:
        await r.connect()
    try:
        for r in replicas:
            assert admitted(r, "busy", 3) == 3
        await asyncio.gather(*(r.sync() for r in replicas))
        for r in replicas:
            await knows(r, 9)
        assert admitted(replicas[0], "busy", 5) == 1
    finally:
        for r in replicas:
            await r.close()


async def test_two_gateway_apps_share_the_sign_in_limit(make_settings, nats_server, bucket) -> None:
    """EDGE-5 with EDGE-1: two gateway apps (replicas behind one balancer) on one NATS: the sign-in limit counts the
    attempts made at both."""
    def settings():
        return make_settings(rate_limit={"sign_in": "3/hour", "storage_uri": "nats-kv://", "bucket": bucket},
                             nats={"url": nats_server.url})

    app1, app2 = create_app(settings()), create_app(settings())
    async with (app1.router.lifespan_context(app1), app2.router.lifespan_context(app2),
                httpx.AsyncClient(transport=httpx.ASGITransport(app=app1), base_url="http://gateway") as one,
                httpx.AsyncClient(transport=httpx.ASGITransport(app=app2), base_url="http://gateway") as two):
        await app1.state.limiter.connect()
        await app2.state.limiter.connect()
        seen = 0

        async def attempt(client, app, other) -> int:
            nonlocal seen
            resp = await client.post("/v1/auth/token", json={"username": "brute", "password": "guess"})
            await app.state.limiter.sync()
            seen += 1
            await knows(other.state.limiter, seen)  # its address and its user name: counted `seen` times each
            return resp.status_code

        codes = [await attempt(one, app1, app2), await attempt(two, app2, app1), await attempt(one, app1, app2)]
        codes += [(await two.post("/v1/auth/token", json={"username": "brute", "password": "guess"})).status_code,
                  (await one.post("/v1/auth/token", json={"username": "brute", "password": "guess"})).status_code]
    assert codes == [401, 401, 401, 429, 429]


async def test_without_nats_each_replica_still_counts_on_its_own(tmp_path, bucket) -> None:
    """EDGE-5: NATS going away fails open to per-replica counting: the replica still enforces the limit on what it
    sees, a sync neither raises nor refuses; the counts are shared again once NATS is back."""
    server = NatsServer(tmp_path / "nats").start()
    a = replica(server.url, bucket)
    try:
        await a.connect()
        assert admitted(a, "k", 4) == 4
        await a.sync()
        assert a.shared
        server.stop()
        assert admitted(a, "k", 3) == 3
        await a.sync()  # NATS is gone: counted here, kept for later
        assert not a.shared
        assert admitted(a, "k", 10) == 3  # the replica's own limit holds
        server.start()

        async def shared_again() -> bool:
            await a.sync()
            return a.shared

        await eventually(shared_again, timeout=30, interval=0.1)
        b = replica(server.url, bucket)
        await b.connect()
        await knows(b, 17)  # a's 4 + 3 + 10 attempts (refused ones count too, as in `limits`)
        assert admitted(b, "k", 1) == 0
        await b.close()
    finally:
        await a.close()
        server.stop()


def test_the_other_replicas_totals_are_forgotten_when_their_window_ends() -> None:
    """EDGE-5: what the watch showed is kept while its window lasts only (memory stays bounded by live windows)."""
    import time

    storage = SharedCounters()
    now = time.time()
    live, ended = int(now // 3600), int(now // 1) - 5
    storage.seen = {f"{'a' * 40}.3600000.{live}": (3, 1, now), f"{'b' * 40}.1000.{ended}": (9, 2, now)}
    storage.sweep()
    assert list(storage.seen) == [f"{'a' * 40}.3600000.{live}"]
