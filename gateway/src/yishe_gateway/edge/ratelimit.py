"""Per-caller rate limits (EDGE-1, shared by the replicas: EDGE-5) with the `limits` package: anonymous callers by
address, users and system clients by their identity.

Counters are shared by every gateway replica (EDGE-5) by default: `GATEWAY_RATE_LIMIT__STORAGE_URI=nats-kv://` keeps
them in a NATS JetStream key-value bucket (`yishe_rate_limit`) on the gateway's own NATS — no new server. A check
stays in-process and synchronous (the hot public lookup pays no network hop): each replica counts locally and, every
`sync_seconds` (default 50 ms), adds what it counted to the shared count of each key's current window with
revision-checked updates (compare-and-set: no increment is lost when replicas update at once); every replica watches
the bucket, so it knows the other replicas' totals as they change, also for a caller it has not seen yet. Windows
are aligned to the clock, so every replica means the same window. A caller spread over N replicas
gets through at most the limit plus what the other replicas admitted since their last sync (about N-1 × rate × 50
ms). If NATS cannot be reached the limit fails open to per-replica counting (each replica still enforces the limit
on what it sees; logged when it starts and ends); it never refuses everyone. An entry is dropped `max_age_seconds`
(default 10 min) after its last update: a window longer than that starts afresh after that long without a hit.
`memory://` (tests) counts in this process only; other `limits` URIs (redis://…) still work.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import math
import time
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, cast

import nats
import structlog
from limits import RateLimitItem, parse
from limits.storage import Storage, storage_from_string
from limits.strategies import FixedWindowRateLimiter
from nats.js.errors import BucketNotFoundError, KeyNotFoundError, KeyWrongLastSequenceError
from nats.js.kv import KeyValue

from yishe_kit.settings import NatsSettings

from ..config import RateLimits
from ..errors import RateLimited
from ..identity.principal import Identity

log = structlog.get_logger("yishe.gateway.ratelimit")
SHARED_URI = "nats-kv://"


class LoopMemoryStorage(Storage):
    """Fixed-window counters in this process, as a storage backend on `limits`' public `Storage` base class (its
    documented extension point; version-bounded in pyproject). Not `limits`' own MemoryStorage: that one starts a
    timer thread every 10 ms while requests arrive (measured: the biggest single cost of a held-profile lookup).
    Here counters expire lazily on read, and `sweep()` (the gateway calls it every minute) drops keys nobody reads
    any more. Only the event loop's thread calls it, so it needs no lock."""

    STORAGE_SCHEME = ["yishe-loop-memory"]  # noqa: RUF012 - the base class declares it an instance attribute

    def __init__(self, uri: str | None = None, wrap_exceptions: bool = False, **options: float | str | bool) -> None:
        super().__init__(uri, wrap_exceptions=wrap_exceptions, **options)
        self.counts: dict[str, int] = {}
        self.expirations: dict[str, float] = {}

    @property
    def base_exceptions(self) -> type[Exception] | tuple[type[Exception], ...]:
        return ValueError

    def _live(self, key: str, now: float) -> bool:
        if self.expirations.get(key, 0.0) <= now:
            self.counts.pop(key, None)
            self.expirations.pop(key, None)
            return False
        return True

    def incr(self, key: str, expiry: int | float, amount: int = 1) -> int:
        now = time.time()
        if not self._live(key, now):
            self.expirations[key] = now + expiry
        self.counts[key] = self.counts.get(key, 0) + amount
        return self.counts[key]

    def get(self, key: str) -> int:
        return self.counts.get(key, 0) if self._live(key, time.time()) else 0

    def get_expiry(self, key: str) -> float:
        return self.expirations.get(key, time.time())

    def check(self) -> bool:
        return True

    def reset(self) -> int | None:
        dropped = len(self.counts)
        self.counts.clear()
        self.expirations.clear()
        return dropped

    def clear(self, key: str) -> None:
        self.counts.pop(key, None)
        self.expirations.pop(key, None)

    def sweep(self) -> int:
        now = time.time()
        expired = [key for key, at in self.expirations.items() if at <= now]
        for key in expired:
            self.counts.pop(key, None)
            self.expirations.pop(key, None)
        return len(expired)


@dataclass
class _Count:
    window: int  # the clock-aligned window number: start = window × expiry
    expiry: float
    pending: int = 0  # counted here, not yet added to the shared count
    shared: int = 0  # the shared count (every replica) as last read
    revision: int = 0  # its KV revision (0: not in the bucket yet)


class SharedCounters(Storage):
    """Fixed-window counters shared by the gateway replicas through a NATS KV bucket (module docstring): `incr` is
    local and synchronous, `sync()` adds the local counts to the shared ones. Only the event loop's thread calls
    it."""

    STORAGE_SCHEME = ["yishe-nats-kv"]  # noqa: RUF012 - the base class declares it an instance attribute

    def __init__(self, uri: str | None = None, wrap_exceptions: bool = False, **options: float | str | bool) -> None:
        super().__init__(uri, wrap_exceptions=wrap_exceptions, **options)
        self.counts: dict[str, _Count] = {}
        self.names: dict[str, str] = {}  # bucket key → the local key counting it
        self.seen: dict[str, tuple[int, int, float]] = {}  # bucket key → (total, revision, when), from the watch
        self.kv: KeyValue | None = None
        self.shared = False  # the last sync reached the bucket

    def _learn(self, name: str, total: int, revision: int) -> None:
        """A total read or watched in the bucket: kept, and given to the local count of that key if newer."""
        known = self.seen.get(name)
        if known is None or known[1] < revision:
            self.seen[name] = (total, revision, time.time())
        key = self.names.get(name)
        count = self.counts.get(key) if key is not None else None
        if count is not None and count.revision < revision:
            count.shared, count.revision = total, revision

    async def watch(self, kv: KeyValue) -> None:
        """Every replica's updates as they happen (the current totals first)."""
        watcher = await kv.watchall()
        try:
            async for entry in watcher:
                if entry is not None and entry.value is not None and entry.revision is not None:
                    with contextlib.suppress(ValueError):
                        self._learn(entry.key, int(entry.value or b"0"), int(entry.revision))
        finally:
            with contextlib.suppress(BaseException):
                await asyncio.wait_for(watcher.stop(), 1.0)

    @property
    def base_exceptions(self) -> type[Exception] | tuple[type[Exception], ...]:
        return ValueError

    def _current(self, key: str, now: float) -> _Count | None:
        count = self.counts.get(key)
        if count is not None and count.window != int(now // count.expiry):
            self._drop(key)
            return None
        return count

    def _drop(self, key: str) -> None:
        count = self.counts.pop(key, None)
        if count is not None:
            self.names.pop(self.entry_name(key, count), None)

    def incr(self, key: str, expiry: int | float, amount: int = 1) -> int:
        now = time.time()
        count = self._current(key, now)
        if count is None:
            count = self.counts[key] = _Count(int(now // expiry), float(expiry))
            name = self.entry_name(key, count)
            self.names[name] = key
            known = self.seen.get(name)  # other replicas counted it already
            if known is not None:
                count.shared, count.revision = known[0], known[1]
        count.pending += amount
        return count.shared + count.pending

    def get(self, key: str) -> int:
        count = self._current(key, time.time())
        return 0 if count is None else count.shared + count.pending

    def get_expiry(self, key: str) -> float:
        count = self.counts.get(key)
        return (count.window + 1) * count.expiry if count is not None else time.time()

    def check(self) -> bool:
        return self.shared

    def reset(self) -> int | None:
        dropped = len(self.counts)
        self.counts.clear()
        self.names.clear()
        return dropped

    def clear(self, key: str) -> None:
        self._drop(key)

    def sweep(self, max_age: float = 600.0) -> int:
        now = time.time()
        ended = [key for key, count in self.counts.items() if count.window != int(now // count.expiry)]
        for key in ended:
            self._drop(key)
        # The others' totals: kept while their window lasts (and never longer than the bucket keeps them).
        for name in [name for name, (_, _, at) in self.seen.items() if at < now - max_age or _ended(name, now)]:
            del self.seen[name]
        return len(ended)

    @staticmethod
    def entry_name(key: str, count: _Count) -> str:
        """A bucket key (KV keys allow few characters: a caller's address or name may not fit):
        digest.window length in ms.window number."""
        return f"{hashlib.sha256(key.encode()).hexdigest()[:40]}.{round(count.expiry * 1000)}.{count.window}"

    async def sync(self) -> None:
        """Add every key's local count to the shared one (compare-and-set), read the totals back. Raises when the
        bucket cannot be reached (the counts stay local, to be added by a later sync)."""
        kv = self.kv
        if kv is None:
            raise ConnectionError("the rate-limit bucket is not connected")
        now = time.time()
        due = [(key, c) for key, c in list(self.counts.items())
               if c.pending and c.window == int(now // c.expiry)]
        for start in range(0, len(due), 200):
            await asyncio.gather(*(self._add(kv, key, c) for key, c in due[start:start + 200]))

    async def _add(self, kv: KeyValue, key: str, count: _Count) -> None:
        name, amount = self.entry_name(key, count), count.pending
        for _ in range(20):
            try:
                if count.revision == 0:
                    total = count.shared + amount
                    revision = await kv.create(name, str(total).encode())
                else:
                    total = count.shared + amount
                    revision = await kv.update(name, str(total).encode(), last=count.revision)
            except KeyWrongLastSequenceError:  # another replica added first: read its total and try again
                try:
                    entry = await kv.get(name)
                    self._learn(name, int(entry.value or b"0"), int(entry.revision or 0))
                except KeyNotFoundError:  # dropped (max age) since
                    count.shared, count.revision = 0, 0
                continue
            count.pending -= amount  # what was counted meanwhile stays pending for the next sync
            if count.revision < revision:
                count.shared, count.revision = total, revision
            self._learn(name, total, revision)
            return
        log.warning("rate-limit count not shared after 20 tries (contention); kept for the next sync")


def _ended(name: str, now: float) -> bool:
    """Whether the window a bucket key names is over (SharedCounters.entry_name)."""
    try:
        _, length_ms, window = name.rsplit(".", 2)
        return (int(window) + 1) * int(length_ms) / 1000 < now
    except ValueError:
        return True


@lru_cache(maxsize=256)
def _item(text: str) -> RateLimitItem:
    return parse(text)


class Limiter:
    def __init__(self, settings: RateLimits, storage_uri: str = "memory://", nats_settings: NatsSettings | None = None):
        self.settings = settings
        self.nats_settings = nats_settings or NatsSettings()
        self.storage: Storage
        if storage_uri == "memory://":
            self.storage = LoopMemoryStorage()
        elif storage_uri == SHARED_URI:
            self.storage = SharedCounters()
        else:
            self.storage = cast(Storage, storage_from_string(storage_uri))
        # Fixed windows: the cheapest check on a path that must stay near a bare endpoint's cost.
        self.strategy = FixedWindowRateLimiter(self.storage)
        self._nc: Any = None
        self._watch: asyncio.Task[None] | None = None
        self._warned = False

    def limit_for(self, identity: Identity) -> str:
        if identity.kind == "client":
            return identity.rate_limit or self.settings.client
        return self.settings.user if identity.kind == "user" else self.settings.anonymous

    def check(self, identity: Identity) -> None:
        self.hit(self.limit_for(identity), identity.rate_key)

    def hit(self, limit: str, key: str) -> None:
        """429 with Retry-After (whole seconds, at least 1) once `key` has used up `limit`."""
        item = _item(limit)
        if not self.strategy.hit(item, key):
            reset = self.strategy.get_window_stats(item, key).reset_time
            raise RateLimited(max(1, math.ceil(reset - time.time())), limit)

    async def sweep(self) -> None:
        if isinstance(self.storage, SharedCounters):
            self.storage.sweep(self.settings.max_age_seconds)
        elif isinstance(self.storage, LoopMemoryStorage):
            self.storage.sweep()

    @property
    def shared(self) -> bool:
        return isinstance(self.storage, SharedCounters) and self.storage.shared

    async def connect(self) -> None:
        """The shared counters' bucket on the gateway's NATS (created if missing); retried until NATS answers."""
        delay = 0.1
        while not await self._open():
            await asyncio.sleep(delay)
            delay = min(delay * 2, 5.0)

    async def _open(self) -> bool:
        """One try at connecting to the bucket and watching it. No client-side reconnection: a connection that
        fails is closed and a later sync opens a new one (so nothing waits in a client's buffers meanwhile)."""
        storage = self.storage
        if not isinstance(storage, SharedCounters) or storage.kv is not None:
            return True
        try:
            self._nc = await nats.connect(servers=self.nats_settings.servers, name="gateway-rate-limit",
                                          allow_reconnect=False, connect_timeout=2)
            js = self._nc.jetstream(timeout=2)
            try:
                kv = await js.key_value(self.settings.bucket)
            except BucketNotFoundError:
                kv = await js.create_key_value(bucket=self.settings.bucket, history=1,
                                               ttl=self.settings.max_age_seconds)
        except Exception as exc:
            if storage.shared or not self._warned:
                log.warning("rate-limit bucket unreachable: counting per replica", error=repr(exc))
                self._warned = True
            storage.shared = False
            await self.close()
            return False
        storage.kv = kv
        self._watch = asyncio.create_task(storage.watch(kv), name="rate-limit-watch")
        return True

    async def sync(self) -> None:
        """One round of sharing the counts (SharedCounters.sync), logging when sharing stops and starts again."""
        storage = self.storage
        if not isinstance(storage, SharedCounters) or not await self._open():
            return
        try:
            await storage.sync()
        except Exception as exc:
            if storage.shared:
                log.warning("rate-limit counters not shared: counting per replica until NATS answers",
                            error=repr(exc))
            storage.shared = False
            await self.close()  # the next sync connects afresh
            return
        if not storage.shared:
            log.info("rate-limit counters shared by the replicas", bucket=self.settings.bucket)
            self._warned = False
        storage.shared = True

    async def run(self) -> None:
        """The gateway's background task: connect, then share the counts every `sync_seconds`."""
        if not isinstance(self.storage, SharedCounters):
            return
        try:
            await self.connect()
            while True:
                await self.sync()
                await asyncio.sleep(self.settings.sync_seconds)
        finally:
            await self.close()

    async def close(self) -> None:
        """Stop watching and close the connection, never waiting on a dead server for more than a second each."""
        watch, self._watch = self._watch, None
        if watch is not None:
            watch.cancel()
            with contextlib.suppress(BaseException):
                await asyncio.wait_for(watch, 1.0)
        nc, self._nc = self._nc, None
        if nc is not None:
            with contextlib.suppress(BaseException):
                await asyncio.wait_for(nc.close(), 1.0)
        if isinstance(self.storage, SharedCounters):
            self.storage.kv = None
