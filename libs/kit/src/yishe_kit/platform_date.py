"""The platform date (development, tests, training): one NATS KV key every process follows with its kit clock.

The gateway writes `business_date` in the `yishe_platform` bucket (`PUT /v1/platform/date`, only with
`GATEWAY_ENV=dev`): the date chosen and the real business date it was chosen on, so every process applies the same
offset in days and the platform's days go on turning together (a process started after a real midnight agrees with
one started before); every process that honours it (a service with `YISHE_PLATFORM_DATE_ENABLED=1` and `env=dev`,
the gateway in dev) watches the key and applies each value to its clock at once (`Clock.set_platform_date`); a
deleted key is the real date again. A process started later reads the key when it connects. If the watch is lost
(NATS restarted), the key is read again every `recheck_seconds` until a new watch is up, so a missed update is applied
within that time. In production nothing watches the key: the clock stays on the real date whatever the bucket holds.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from dataclasses import dataclass
from datetime import date, timedelta

import nats
import structlog
from nats.js import JetStreamContext
from nats.js.kv import KeyValue

from .bus import Bus
from .clock import Clock, business_date
from .tasks import stop as stop_tasks

log = structlog.get_logger("yishe.platform_date")

BUCKET = "yishe_platform"
KEY = "business_date"


async def bucket(js: JetStreamContext) -> KeyValue:
    """The platform bucket, created (history 1) if missing."""
    try:
        return await js.key_value(BUCKET)
    except nats.js.errors.BucketNotFoundError:
        with contextlib.suppress(nats.js.errors.BadRequestError):  # created meanwhile by another process
            return await js.create_key_value(bucket=BUCKET, history=1,
                                             description="yishe platform date (dev/tests/training only)")
        return await js.key_value(BUCKET)


@dataclass(frozen=True)
class PlatformDate:
    day: date  # the business date chosen
    chosen_on: date  # the real business date it was chosen on

    @property
    def offset_days(self) -> int:
        return (self.day - self.chosen_on).days

    def today(self, clock: Clock) -> date:
        """The platform's business date now (the chosen day, moved on by the real days since)."""
        return business_date(clock.real_now()) + timedelta(days=self.offset_days)


def _value(entry: KeyValue.Entry | None) -> PlatformDate | None:
    if entry is None or entry.operation in ("DEL", "PURGE") or not entry.value:
        return None
    try:
        data = json.loads(entry.value)
        return PlatformDate(date.fromisoformat(data["date"]), date.fromisoformat(data["chosen_on"]))
    except (ValueError, KeyError, TypeError):
        log.warning("platform date ignored: not a platform date", value=entry.value[:80])
        return None


async def read(js: JetStreamContext) -> PlatformDate | None:
    """The platform date set, or None (the real date)."""
    kv = await bucket(js)
    try:
        return _value(await kv.get(KEY))
    except nats.js.errors.KeyNotFoundError:  # also raised for a deleted key
        return None


async def write(js: JetStreamContext, day: date | None, clock: Clock) -> PlatformDate | None:
    """Set the platform date (None: back to the real date) for every process that follows it."""
    kv = await bucket(js)
    if day is None:
        with contextlib.suppress(nats.js.errors.KeyNotFoundError):
            await kv.delete(KEY)
        return None
    chosen = PlatformDate(day, business_date(clock.real_now()))
    await kv.put(KEY, json.dumps({"date": day.isoformat(), "chosen_on": chosen.chosen_on.isoformat()}).encode())
    return chosen


class PlatformDateFollower:
    """Keeps `clock` on the platform date held in NATS KV (started only where the platform date is honoured)."""

    def __init__(self, bus: Bus, clock: Clock, *, recheck_seconds: float = 30.0):
        self.bus = bus
        self.clock = clock
        self.recheck_seconds = recheck_seconds
        self.applied = asyncio.Event()  # set once the key's value at start-up is applied
        self._applied = 0
        self._task: asyncio.Task | None = None

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="platform-date")

    async def stop(self) -> None:
        if self._task is not None:
            await stop_tasks(self._task)
            self._task = None

    def _apply(self, value: PlatformDate | None) -> None:
        offset = value.offset_days if value else 0
        if offset == self._applied:  # unchanged (an absent key at start-up leaves the clock alone)
            return
        self._applied = offset
        self.clock.fixed, self.clock.offset_days = None, offset
        log.info("platform date applied", platform_date=value.day.isoformat() if value else None,
                 offset_days=offset, today=self.clock.today().isoformat())

    async def _run(self) -> None:
        while True:
            watcher = None
            try:
                await self.bus.ready.wait()
                assert self.bus.js is not None
                kv = await bucket(self.bus.js)
                self._apply(await read(self.bus.js))
                self.applied.set()
                watcher = await kv.watch(KEY)
                while True:
                    try:
                        entry = await watcher.updates(timeout=self.recheck_seconds)
                    except nats.errors.TimeoutError:
                        self._apply(await read(self.bus.js))  # the safety net: a lost watch still converges
                        continue
                    if entry is not None:  # None marks "initial values delivered"
                        self._apply(_value(entry))
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                log.warning("platform date watch failed", error=repr(exc))
                await asyncio.sleep(1.0)
            finally:
                if watcher is not None:
                    with contextlib.suppress(Exception):
                        await watcher.stop()
