"""Per-caller rate limits (EDGE-1) with the `limits` package: anonymous callers by address, users and system
clients by their identity; in-process memory by default (`GATEWAY_RATE_LIMIT__STORAGE_URI`, e.g. redis://…, for a
limit shared by replicas)."""

from __future__ import annotations

import math
import time
from functools import lru_cache

from limits import RateLimitItem, parse
from limits.storage import MemoryStorage, Storage, storage_from_string
from limits.strategies import FixedWindowRateLimiter

from ..config import RateLimits
from ..errors import RateLimited
from ..identity.principal import Identity


class LoopMemoryStorage(MemoryStorage):
    """`limits`' memory storage without its expiry timer: the stock one starts a thread every 10 ms while requests
    arrive (measured: the biggest single cost of a held-profile lookup). Fixed-window counters expire lazily on
    read; `sweep()` (the gateway calls it periodically) drops the keys nobody reads any more."""

    def __init__(self) -> None:  # deliberately not MemoryStorage.__init__ (it starts the timer)
        from collections import Counter, defaultdict
        from threading import RLock

        self.storage = Counter()
        self.locks = defaultdict(RLock)
        self.expirations: dict[str, float] = {}
        self.events: dict = {}
        Storage.__init__(self, "memory://")

    def _MemoryStorage__schedule_expiry(self) -> None:  # the parent's name-mangled timer start: not wanted here
        return None

    def sweep(self) -> int:
        now = time.time()
        expired = [key for key, at in self.expirations.items() if at <= now]
        for key in expired:
            self.storage.pop(key, None)
            self.expirations.pop(key, None)
            self.locks.pop(key, None)
        return len(expired)


@lru_cache(maxsize=256)
def _item(text: str) -> RateLimitItem:
    return parse(text)


class Limiter:
    def __init__(self, settings: RateLimits, storage_uri: str = "memory://"):
        self.settings = settings
        self.storage = LoopMemoryStorage() if storage_uri == "memory://" else storage_from_string(storage_uri)
        # Fixed windows: the cheapest check on a path that must stay near a bare endpoint's cost.
        self.strategy = FixedWindowRateLimiter(self.storage)

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
        if isinstance(self.storage, LoopMemoryStorage):
            self.storage.sweep()
