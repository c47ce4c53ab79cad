"""Stopping background tasks always ends (yishe_kit.tasks): a cancellation a task swallows is sent again, and a
shutdown step that overruns is passed after its bound, never waited on for ever. Found as a CI teardown that hung
(gateway/tests/profile/test_cache.py, 120 s) and a platform-date follower whose stop took 10 s."""

from __future__ import annotations

import asyncio
import contextlib
import sys

from yishe_kit.tasks import bounded, stop


async def _swallows_cancellations(times: int, ended: list[str]) -> None:
    for _ in range(times):
        with contextlib.suppress(asyncio.CancelledError):  # as nats-py's close() or 3.11's wait_for do
            await asyncio.sleep(3600)
    try:
        await asyncio.sleep(3600)
    finally:
        ended.append("ended")


async def test_a_task_that_swallows_its_cancellations_is_cancelled_again_until_it_ends() -> None:
    ended: list[str] = []
    task = asyncio.create_task(_swallows_cancellations(2, ended), name="stubborn")
    await asyncio.sleep(0)
    assert await asyncio.wait_for(stop(task, timeout=30), 10) is True  # one cancel and await would never end
    assert task.done() and ended == ["ended"]


async def test_the_python_311_wait_for_race_is_covered() -> None:
    """The real race: a cancel arriving as `wait_for`'s awaited future completes is dropped on Python 3.11, and the
    task runs on; `stop` ends it anyway."""
    loop = asyncio.get_running_loop()
    fut: asyncio.Future[int] = loop.create_future()
    after: list[str] = []

    async def watcher() -> None:
        await asyncio.wait_for(fut, 60)
        after.append("ran on after its cancel")
        await asyncio.sleep(3600)

    task = asyncio.create_task(watcher())
    await asyncio.sleep(0.01)
    fut.set_result(1)
    assert await asyncio.wait_for(stop(task, timeout=30), 10) is True
    assert task.done()
    if sys.version_info < (3, 12):  # the race this guards against: the first cancel was dropped
        assert after == ["ran on after its cancel"]


async def test_stop_gives_up_after_its_timeout_and_says_which_task() -> None:
    ended: list[str] = []
    task = asyncio.create_task(_swallows_cancellations(10_000, ended), name="never-stops")
    await asyncio.sleep(0)
    import yishe_kit.tasks as tasks

    tasks.RECANCEL_SECONDS, saved = 0.01, tasks.RECANCEL_SECONDS
    try:
        assert await stop(task, timeout=0.2) is False
    finally:
        tasks.RECANCEL_SECONDS = saved
    assert not task.done()
    task.get_coro().close()  # type: ignore[union-attr]


async def test_a_bounded_step_that_overruns_is_passed_after_its_bound() -> None:
    ended: list[str] = []
    # wait_for only guards the test against a hang (as wait_for-based bounding did): no timing is asserted
    assert await asyncio.wait_for(bounded("stubborn", _swallows_cancellations(2, ended), seconds=0.2), 10) is False
    assert ended == ["ended"]


async def test_a_bounded_step_that_ends_in_time_is_true_and_its_failure_is_not_raised() -> None:
    async def fails() -> None:
        raise RuntimeError("boom")

    assert await bounded("quick", asyncio.sleep(0), seconds=1) is True
    assert await bounded("failing", fails(), seconds=1) is True
