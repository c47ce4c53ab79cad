"""Stopping background tasks so that a stop always ends.

`task.cancel(); await task` can wait for ever: a task can go on running after one cancel. Python 3.11's
`asyncio.wait_for` returns its result and drops a cancellation that arrives as the awaited thing completes
(gh-86296; nats-py's `KeyWatcher.updates` is built on it), and nats-py itself catches `CancelledError` while it
closes a connection or flushes. Seen here: the platform-date follower's stop took 10 s (the bounded step's second
cancel) in about one test run of ten. `stop` cancels again until the task ends, and
gives up (naming it in the log) after `timeout`: a shutdown, a test's teardown, is never held open by one task."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Iterable
from typing import Any

from .logging import get_logger

log = get_logger(__name__)

# How long a cancelled task is given to end (its `finally` blocks: a rollback, closing a subscription) before it is
# cancelled again: long enough for those, short enough that a swallowed cancellation costs about a second.
RECANCEL_SECONDS = 1.0
STOP_SECONDS = 10.0
OVERRUN_STOP_SECONDS = 3.0


async def stop(tasks: asyncio.Future[Any] | Iterable[asyncio.Future[Any] | None] | None, *,
               timeout: float = STOP_SECONDS) -> bool:
    """Cancel `tasks` (a task, or several; None entries are skipped) and wait until every one has ended, cancelling
    again any that swallowed the cancellation. True when all ended within `timeout`; False (and logged by name)
    otherwise. Their results and exceptions are retrieved, never raised: a stopping task's failure is its own."""
    if tasks is None:
        return True
    pending = {tasks} if isinstance(tasks, asyncio.Future) else {t for t in tasks if t is not None}
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while pending:
        for task in pending:
            task.cancel()
        left = deadline - loop.time()
        if left <= 0:
            log.error("task did not stop", tasks=sorted(_name(t) for t in pending), seconds=timeout)
            return False
        done, pending = await asyncio.wait(pending, timeout=min(RECANCEL_SECONDS, left))
        for task in done:
            if not task.cancelled():
                task.exception()  # retrieved: no "exception was never retrieved" at exit
    return True


async def bounded(step: str, stopping: Awaitable[object], seconds: float = STOP_SECONDS) -> bool:
    """One shutdown step given at most `seconds`: one that overruns is named in the log and stopped as `stop` does.
    Unlike `asyncio.wait_for`, which after its timeout waits for the cancelled work to end, this never waits longer
    than `seconds` plus `stop`'s bound. True when the step ended in time (its exception, if any, is logged)."""
    task = asyncio.ensure_future(stopping)
    done, _ = await asyncio.wait({task}, timeout=seconds)
    if not done:
        log.error("shutdown step overran and was cancelled", step=step, seconds=seconds)
        await stop(task, timeout=OVERRUN_STOP_SECONDS)
        return False
    if not task.cancelled() and (exc := task.exception()) is not None:
        log.warning("shutdown step failed", step=step, error=repr(exc))
    return True


def _name(future: asyncio.Future[Any]) -> str:
    return future.get_name() if isinstance(future, asyncio.Task) else repr(future)
