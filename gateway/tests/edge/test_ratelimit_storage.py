"""EDGE-1: the rate limiter's in-process storage is a `limits` backend on the library's public `Storage` base class
(no private method overridden), used through `limits`' own FixedWindowRateLimiter."""

from __future__ import annotations

import threading
import time

import pytest
from limits import parse
from limits.storage import Storage
from limits.strategies import FixedWindowRateLimiter

from yishe_gateway.config import RateLimits
from yishe_gateway.edge.ratelimit import Limiter, LoopMemoryStorage
from yishe_gateway.errors import RateLimited


def test_storage_is_a_public_limits_backend_and_starts_no_thread_when_hit() -> None:
    """EDGE-1: allowed up to the limit, refused after it, and no timer thread per request."""
    storage = LoopMemoryStorage()
    assert isinstance(storage, Storage)
    limiter = FixedWindowRateLimiter(storage)
    item = parse("3/minute")
    threads = threading.active_count()
    assert [limiter.hit(item, "k") for _ in range(4)] == [True, True, True, False]
    assert threading.active_count() == threads
    stats = limiter.get_window_stats(item, "k")
    assert stats.remaining == 0 and time.time() < stats.reset_time <= time.time() + 60


def test_expired_windows_count_from_zero_and_are_swept_when_nobody_reads_them() -> None:
    """EDGE-1: a window whose expiry has passed is a fresh window; `sweep` drops such keys."""
    storage = LoopMemoryStorage()
    limiter = FixedWindowRateLimiter(storage)
    item = parse("1/hour")
    assert limiter.hit(item, "a") and not limiter.hit(item, "a")
    for key in storage.expirations:
        storage.expirations[key] = time.time() - 1  # the window ended
    assert storage.sweep() == 1 and storage.counts == {}
    assert limiter.hit(item, "a")


def test_limiter_429_names_limit_and_retry_after_when_key_used_up() -> None:
    """EDGE-1: the gateway's Limiter refuses with RateLimited (Retry-After at least 1 s)."""
    limiter = Limiter(RateLimits(), "memory://")
    limiter.hit("1/minute", "caller")
    with pytest.raises(RateLimited) as refused:
        limiter.hit("1/minute", "caller")
    assert 1 <= refused.value.retry_after <= 60
