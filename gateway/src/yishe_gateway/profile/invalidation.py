"""CACHE-2: every gateway replica hears every event on core NATS (a plain subscription, not a shared durable) and
refreshes what it holds, and loads a newly registered organisation; after a reconnection, when events may have been
missed, everything held goes stale."""

from __future__ import annotations

import asyncio
import contextlib

import orjson
import structlog

from yishe_contracts.identifiers import validate_social_org_uscc
from yishe_contracts.subjects import BULK_CARRIERS, OWNERS
from yishe_kit.bus import Bus
from yishe_kit.tasks import stop as stop_tasks

from .cache import ProfileCache

log = structlog.get_logger("yishe.gateway.invalidation")
REGISTERED = "registry.organisation.registered.v1"
BULK_FIELDS = {bulk.subject_name: bulk.bulk_field for carriers in BULK_CARRIERS.values() for bulk in carriers}
"""Bulk subjects (an import's registrations, credit's profiles opened for them) → the field listing their items."""


def _imported(envelope: dict) -> bool:
    """A legacy organisation loaded by a bulk import: not warmed (a city's worth at once would be a fan-out storm;
    its code is not being printed and scanned now). Its first lookup loads it, as any organisation not held."""
    data = envelope.get("data")
    return isinstance(data, dict) and data.get("source") == "import"


class Invalidation:
    def __init__(self, bus: Bus, cache: ProfileCache, check_seconds: float = 0.5):
        self.bus = bus
        self.cache = cache
        self.check_seconds = check_seconds
        self._task: asyncio.Task | None = None
        self.events = 0
        self.listening = asyncio.Event()

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="cache-invalidation")

    async def stop(self) -> None:
        if self._task is not None:
            await stop_tasks(self._task)

    async def _on_message(self, msg) -> None:
        self.cache.heard()
        try:
            envelope = orjson.loads(msg.data)
            bulk_field = BULK_FIELDS.get(envelope.get("type"))
            if bulk_field is not None:  # a bulk event's organisations (an import's): none warmed (see `_imported`)
                for item in (envelope.get("data") or {}).get(bulk_field) or ():
                    if isinstance(item, dict) and isinstance(item.get("uscc"), str):
                        self.events += 1
                        self.cache.invalidate(item["uscc"])
                return
            uscc = envelope.get("subject") or (envelope.get("data") or {}).get("uscc")
        except (orjson.JSONDecodeError, AttributeError):
            return
        if not isinstance(uscc, str):
            return
        self.events += 1
        if self.cache.invalidate(uscc):  # held: only well-formed codes are ever held
            return
        # Only a well-formed code goes on to a fan-out: the upstream request line is built from it. (Checked only
        # here: a bulk import's events about organisations not held cost a dict lookup each.)
        if envelope.get("type") == REGISTERED and not _imported(envelope) and not validate_social_org_uscc(uscc):
            self.cache.warm(uscc)

    async def _run(self) -> None:
        await self.bus.ready.wait()
        assert self.bus.nc is not None
        subs = [await self.bus.nc.subscribe(f"{owner}.>", cb=self._on_message) for owner in OWNERS]
        await self.bus.nc.flush()  # the server knows the subscriptions: events published from now on arrive
        self.listening.set()
        try:
            connected = True
            while True:
                await asyncio.sleep(self.check_seconds)
                now = self.bus.connected
                if now and not connected:
                    log.info("nats reconnected: every held profile is re-read on its next lookup")
                    self.cache.invalidate_all()
                connected = now
        finally:
            for sub in subs:
                with contextlib.suppress(Exception):
                    await sub.unsubscribe()
