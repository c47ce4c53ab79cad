"""The profile cache: assembled profiles kept current from the services' events, so a lookup the gateway already
holds costs a dict lookup and a few bytes, never a fan-out or a database call (PERFORMANCE.md).

- a miss loads once however many callers wait (single flight); an event marks the entry stale and refreshes it,
  then once more after `settle_seconds` (procurement's read model moves on the same credit event a moment later);
- a registration's new organisation is loaded ahead of its first scan (`warm`), once the platform is quiet: no
  event heard for `settle_seconds` (or it has waited `warm_max_wait_seconds`); the first scan finds it held;
- a load that was in flight when an event arrived is kept but stays stale (a generation counter tells);
- safety nets: `max_age_seconds` for every entry (a missed event), `incomplete_ttl_seconds` for profiles with
  pending or missing sources (a source that publishes no event of its own, e.g. procurement's read model);
- the registry down and an entry held: the held profile is served, degraded, naming registry as missing.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, cast

import orjson
import structlog

from yishe_kit.tasks import stop as stop_tasks

from ..config import CacheSettings
from ..disclosure.policy import audience, disclose
from .fanout import RegistryUnavailable

log = structlog.get_logger("yishe.gateway.cache")
Loader = Callable[[str, str], Awaitable[dict[str, Any]]]


ENTRY_OVERHEAD = 600
"""Bytes an entry costs beyond its JSON and views (the Entry, its dict of views, the cache's slot, the USCC key):
~470 B with one view by tracemalloc (10,000 entries), plus the key's 67 B, rounded up."""


@dataclass
class Entry:
    """A held profile, kept as its JSON (orjson bytes, ~3x smaller than the dict it decodes to) with each view
    rendered once. `size` is what it costs the cache, views rendered later included; `on_render` is told each such
    view's bytes (the cache's running count)."""

    raw: bytes
    loaded: float
    complete: bool
    stale: bool = False
    rendered: dict[tuple[str, str], bytes] = field(default_factory=dict)
    on_render: Callable[[int], None] | None = None
    size: int = 0

    def __post_init__(self) -> None:
        self.size = ENTRY_OVERHEAD + len(self.raw)

    @classmethod
    def of(cls, profile: dict[str, Any], loaded: float, complete: bool, stale: bool = False,
           view: tuple[str, str] | None = None) -> Entry:
        """`view` (view, role): rendered now from `profile`, which is at hand (else its first render decodes the
        JSON back)."""
        entry = cls(orjson.dumps(profile), loaded, complete, stale)
        if view is not None:
            entry._render(profile, *view)
        return entry

    @property
    def profile(self) -> dict[str, Any]:
        """A fresh dict each time (the caller may change it; the entry does not)."""
        return cast(dict[str, Any], orjson.loads(self.raw))

    def body(self, view: str, role: str) -> bytes:
        """The view as JSON without its closing brace (the caller appends `signature_valid`)."""
        raw = self.rendered.get((view, audience(view, role)))
        return raw if raw is not None else self._render(self.profile, view, role)

    def _render(self, profile: dict[str, Any], view: str, role: str) -> bytes:
        key = (view, audience(view, role))
        raw = self.rendered[key] = orjson.dumps(disclose(profile, view, role))[:-1]
        grown = len(key[0]) + len(key[1]) + len(raw)
        self.size += grown
        if self.on_render is not None:
            self.on_render(grown)
        return raw


class ProfileCache:
    def __init__(self, settings: CacheSettings, loader: Loader):
        self.settings = settings
        self.loader = loader
        self.enabled = settings.max_entries > 0
        self._entries: dict[str, Entry] = {}
        self.bytes = 0  # what the held entries cost (Entry.size), kept within settings.max_bytes
        self._generation: dict[str, int] = {}
        self._inflight: dict[str, asyncio.Future[Entry]] = {}
        self._settle: dict[str, asyncio.TimerHandle] = {}
        self._tasks: set[asyncio.Task] = set()
        self._to_warm: dict[str, float] = {}  # registrations waiting for a quiet moment, oldest first: when queued
        self._warming: asyncio.Task[None] | None = None
        self._heard_at = self._warmed_at = float("-inf")  # loop time of the last event heard, of the last batch
        self.hits = self.misses = self.refreshes = self.skipped = 0

    def fresh(self, uscc: str) -> Entry | None:
        entry = self._entries.get(uscc)
        if entry is None or entry.stale:
            return None
        ttl = self.settings.max_age_seconds if entry.complete else self.settings.incomplete_ttl_seconds
        return entry if time.monotonic() - entry.loaded < ttl else None

    async def get(self, uscc: str, request_id: str, view: tuple[str, str] | None = None) -> Entry:
        """`view` (view, role): the one the caller will render, rendered by a load it starts while the merged profile
        is at hand (the public lane: every anonymous lookup)."""
        entry = self.fresh(uscc)
        if entry is not None:
            self.hits += 1
            return entry
        self.misses += 1
        return await self.load(uscc, request_id, view)

    async def load(self, uscc: str, request_id: str, view: tuple[str, str] | None = None) -> Entry:
        return await asyncio.shield(self.loading(uscc, request_id, view))

    def loading(self, uscc: str, request_id: str, view: tuple[str, str] | None = None) -> asyncio.Future[Entry]:
        """The load of `uscc` under way, started if none is (single flight). Shared by every caller: shield it, or
        only add a callback; never cancel it."""
        future = self._inflight.get(uscc)
        if future is None:
            future = self._inflight[uscc] = asyncio.ensure_future(self._load(uscc, request_id, view))
            future.add_done_callback(lambda f: self._loaded(uscc, f))
        return future

    def _loaded(self, uscc: str, future: asyncio.Future[Entry]) -> None:
        self._inflight.pop(uscc, None)
        if not future.cancelled():
            future.exception()  # retrieved: a waiter that went away must not leave an unretrieved error behind

    async def _load(self, uscc: str, request_id: str, view: tuple[str, str] | None = None) -> Entry:
        generation = self._generation.get(uscc, 0)
        try:
            profile = await self.loader(uscc, request_id)
        except RegistryUnavailable:
            held = self._entries.get(uscc)
            if held is None:
                raise
            return _degraded(held)
        complete = not profile["missing_sources"] and not profile["pending_sources"]
        entry = Entry.of(profile, time.monotonic(), complete, stale=generation != self._generation.get(uscc, 0),
                         view=view)
        if self.enabled:
            self._hold(uscc, entry)
        return entry

    def _hold(self, uscc: str, entry: Entry) -> None:
        """Store `entry`, first letting go of the oldest insertions until both bounds hold (entries and bytes; the
        newest entry is always held)."""
        old = self._entries.pop(uscc, None)
        if old is not None:
            self._release(old)
        while self._entries and (len(self._entries) >= self.settings.max_entries
                                 or self.bytes + entry.size > self.settings.max_bytes):
            self._evict_oldest()
        self._entries[uscc] = entry
        self.bytes += entry.size
        entry.on_render = self._charge

    def _charge(self, n: int) -> None:
        """A view rendered after storing: counted, and the oldest go should the bytes now outgrow the bound."""
        self.bytes += n
        while len(self._entries) > 1 and self.bytes > self.settings.max_bytes:
            self._evict_oldest()

    def _evict_oldest(self) -> None:
        uscc = next(iter(self._entries))
        self._release(self._entries.pop(uscc))
        if uscc not in self._inflight:
            self._generation.pop(uscc, None)  # no load in flight can come back stale for it

    def _release(self, entry: Entry) -> None:
        entry.on_render = None
        self.bytes -= entry.size

    def invalidate(self, uscc: str) -> bool:
        """An event about `uscc`: mark stale, refresh now and once more after the settle delay."""
        held = uscc in self._entries or uscc in self._inflight
        if not held:
            return False
        self._generation[uscc] = self._generation.get(uscc, 0) + 1
        entry = self._entries.get(uscc)
        if entry is not None:
            entry.stale = True
        self._spawn(uscc)
        if self.settings.settle_seconds > 0:
            old = self._settle.pop(uscc, None)
            if old is not None:
                old.cancel()
            loop = asyncio.get_running_loop()
            self._settle[uscc] = loop.call_later(self.settings.settle_seconds, self._settled, uscc)
        return True

    def heard(self) -> None:
        """Every event the gateway hears (yishe_gateway.profile.invalidation): the services are at work on it."""
        self._heard_at = asyncio.get_running_loop().time()

    def warm(self, uscc: str) -> bool:
        """A newly registered organisation: load it before anyone asks (its printed code will be scanned); the
        events of the other services then keep it current like any held profile.

        A warm-up is a prefetch nobody waits on yet, so it waits for a quiet moment: no event heard for
        `settle_seconds`. While registrations follow one another every service is handling them, and a fan-out
        then builds five fragments (~40 ms of CPU here) on the cores the next registration's Party record (PARTY-2)
        is waiting for. Measured (bench/registration_to_party.py, 200 one at a time, consumers lingering, one run
        each): p99 58 ms with each registration loaded 1 s after it, 29 ms with none loaded. One that has waited
        `warm_max_wait_seconds` is loaded anyway, `background_loads` at a time and a batch per `settle_seconds`;
        beyond `warm_pending_max` waiting, a registration is left to its first lookup (loaded as any code not held).
        """
        if not self.enabled or uscc in self._entries or uscc in self._inflight or uscc in self._to_warm:
            return False
        if self.settings.settle_seconds <= 0:
            return self._spawn(uscc)
        if len(self._to_warm) >= self.settings.warm_pending_max:
            self.skipped += 1
            return False
        self._to_warm[uscc] = asyncio.get_running_loop().time()
        if self._warming is None or self._warming.done():
            self._warming = asyncio.create_task(self._warm_when_quiet(), name="cache-warm")
        return True

    async def _warm_when_quiet(self) -> None:
        loop = asyncio.get_running_loop()
        settle = self.settings.settle_seconds
        while self._to_warm:
            oldest = next(iter(self._to_warm.values()))
            forced = max(oldest + self.settings.warm_max_wait_seconds, self._warmed_at + settle)
            due = min(self._heard_at + settle, forced)
            if loop.time() < due:
                await asyncio.sleep(due - loop.time())
                continue
            batch: list[str] = []
            while self._to_warm and len(batch) < self.settings.background_loads:
                uscc = next(iter(self._to_warm))
                del self._to_warm[uscc]
                if uscc not in self._entries and uscc not in self._inflight:
                    batch.append(uscc)
            self._warmed_at = loop.time()
            await asyncio.gather(*[self._refresh(uscc) for uscc in batch])  # a refresh never raises

    def _settled(self, uscc: str) -> None:
        self._settle.pop(uscc, None)
        if uscc in self._entries:
            self._spawn(uscc)

    def invalidate_all(self) -> None:
        """Events may have been missed (NATS reconnected): everything is re-read on its next lookup."""
        for uscc, entry in self._entries.items():
            entry.stale = True
            self._generation[uscc] = self._generation.get(uscc, 0) + 1

    def _spawn(self, uscc: str) -> bool:
        """Load in the background; False when `background_loads` are already loading (a bulk import's events):
        the entry stays stale (or absent) and its next lookup loads it, so events never become a fan-out storm."""
        if len(self._tasks) >= self.settings.background_loads:
            self.skipped += 1
            return False
        task = asyncio.create_task(self._refresh(uscc))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return True

    async def _refresh(self, uscc: str) -> None:
        for _ in range(3):  # a load already in flight when the event came back stale: go again
            try:
                entry = await self.load(uscc, f"refresh-{uscc}")
            except Exception as exc:  # the next lookup retries; a refresh never raises into the loop
                log.warning("profile refresh failed", uscc=uscc, error=repr(exc))
                return
            self.refreshes += 1
            if not entry.stale:
                return

    def forget(self, uscc: str) -> None:
        entry = self._entries.pop(uscc, None)
        if entry is not None:
            self._release(entry)

    def stats(self) -> dict[str, int]:
        return {"entries": len(self._entries), "bytes": self.bytes, "hits": self.hits, "misses": self.misses,
                "refreshes": self.refreshes, "skipped": self.skipped}

    async def close(self) -> None:
        for handle in self._settle.values():
            handle.cancel()
        self._settle.clear()
        self._to_warm.clear()
        warming = [self._warming] if self._warming is not None else []
        await stop_tasks([*warming, *self._tasks, *self._inflight.values()])


def _degraded(held: Entry) -> Entry:
    profile = dict(held.profile)
    profile["missing_sources"] = ["registry", *[s for s in profile["missing_sources"] if s != "registry"]]
    profile["stale"] = True
    return Entry.of(profile, held.loaded, complete=False, stale=True)
