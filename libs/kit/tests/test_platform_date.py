"""The platform date's KV key (issue 13): every follower applies the same offset, so processes agree on the day even
when one starts after a real midnight; an absent key leaves a clock alone; a deleted key is the real date again."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime

import pytest

from yishe_kit import platform_date
from yishe_kit.bus import Bus
from yishe_kit.clock import Clock
from yishe_kit.settings import NatsSettings

pytestmark = pytest.mark.nats


class _At(Clock):
    """A clock whose real instant is chosen (the platform offset still applies on top)."""

    def __init__(self, instant: datetime):
        super().__init__()
        self.instant = instant

    def real_now(self) -> datetime:
        return self.instant


async def _until(condition, timeout: float = 10.0) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while not condition():
        assert asyncio.get_running_loop().time() < deadline, "not reached before the deadline"
        await asyncio.sleep(0.02)


async def test_followers_agree_on_the_day_when_one_starts_after_a_real_midnight(nats_server) -> None:
    """Set at 23:00 (Shanghai) on 2026-12-02 to 2031-03-15; a process started at 01:00 on 2026-12-03 is on
    2031-03-16, as is the first one once its real day has turned too."""
    bus = Bus(NatsSettings(url=nats_server.url), name="kit-test")
    await bus.connect()
    followers = []
    try:
        evening = _At(datetime(2026, 12, 2, 15, 0, tzinfo=UTC))  # 23:00 in Shanghai
        written = await platform_date.write(bus.js, date(2031, 3, 15), evening)
        assert (written.day, written.chosen_on, written.offset_days) == (date(2031, 3, 15), date(2026, 12, 2), 1564)
        first = platform_date.PlatformDateFollower(bus, evening)
        first.start()
        followers.append(first)
        await _until(lambda: evening.today() == date(2031, 3, 15))

        night = _At(datetime(2026, 12, 2, 17, 0, tzinfo=UTC))  # 01:00 on 2026-12-03 in Shanghai
        later = platform_date.PlatformDateFollower(bus, night)
        later.start()
        followers.append(later)
        await asyncio.wait_for(later.applied.wait(), 10)
        assert night.today() == date(2031, 3, 16)
        evening.instant = night.instant
        assert evening.today() == night.today()

        await platform_date.write(bus.js, None, evening)
        await _until(lambda: evening.today() == date(2026, 12, 3) and night.today() == date(2026, 12, 3))
        assert await platform_date.read(bus.js) is None
    finally:
        for f in followers:
            await f.stop()
        await bus.close()


async def test_absent_key_leaves_a_clock_alone_when_follower_starts(nats_server) -> None:
    """A follower reading no platform date does not undo a test's pinned day (`fixed`)."""
    bus = Bus(NatsSettings(url=nats_server.url), name="kit-test")
    await bus.connect()
    clock = Clock(fixed=date(2027, 1, 5))
    follower = platform_date.PlatformDateFollower(bus, clock)
    try:
        follower.start()
        await asyncio.wait_for(follower.applied.wait(), 10)
        assert clock.today() == date(2027, 1, 5)
    finally:
        await follower.stop()
        await bus.close()
