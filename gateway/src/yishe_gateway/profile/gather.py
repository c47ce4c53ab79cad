"""The cold lookups' reads of one service, gathered: the fragments wanted at the same moment go in one request.

Under load many cold 一社一码 lookups are in flight at once, and each asked every service for its own fragment: five
requests a lookup, each a socket write and a read here and a wake-up, a parse and an answer in the service, most of a
cold lookup's CPU (gateway/README.md). Here a lookup's wish for a service's fragment is queued; at most `in_flight`
requests per service are out, and every wish queued meanwhile (or in the same turn of the event loop) goes in the
next one, up to `max_codes`: the service's batch read (`yishe_kit.readmodel.BATCH_PATH`, one PostgreSQL query for the
lot) answers each code's status and fragment. One at a time, nothing waits: the first wish goes at once, alone, as
the plain single read (`GET <path><uscc>`). A lookup waits for at most the requests already out before its own, and
never longer than its own limit (fanout.py: past it the source is missing for that lookup).

Each wish resolves to a `Fetched` as the single read would (200 and the fragment, 404 pending, a status >= 500 or
None for an unreachable or timed-out service); a failed batch fails all its wishes alike, and the caller counts each
on the service's breaker as before. A read's limit runs from when it is sent.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import orjson
import structlog
from httptools import HttpParserError

from yishe_kit.readmodel import BATCH_PATH

from ..upstream import Fetched
from .hop import StaleConnection, Upstream

log = structlog.get_logger("yishe.gateway.gather")


class _Wish:
    __slots__ = ("futures", "request_id")

    def __init__(self, request_id: str) -> None:
        self.request_id = request_id
        self.futures: list[asyncio.Future[Fetched]] = []


class Gatherer:
    """One service's fragment reads for the fan-out. `headers(request_id)` gives the assertion's header lines."""

    def __init__(self, source: str, upstream: Upstream, path: str, headers: Callable[[str], bytes], *,
                 timeout: float = 1.0, in_flight: int = 2, max_codes: int = 64) -> None:
        self.source = source
        self.timeout = timeout  # one read's limit, from when it is sent (each lookup bounds its own wait: fanout.py)
        self.upstream = upstream
        self.path = path  # the single read's, with `{}` for the code
        self.headers = headers
        self.in_flight_limit = max(1, in_flight)
        self.max_codes = max(1, max_codes)
        self.in_flight = 0
        self.closed = False
        self.requests = self.codes = 0  # requests sent, codes asked for (the readiness answer's batch size)
        self._wishes: dict[str, _Wish] = {}
        self._scheduled = False
        self._tasks: dict[asyncio.Task[None], dict[str, _Wish]] = {}  # each read out, and the wishes it carries

    def ask(self, uscc: str, request_id: str) -> asyncio.Future[Fetched]:
        """`uscc` must be a validated code (plain ASCII): it goes into the request line as it is. The caller bounds
        its wait (a future it stops waiting for is cancelled, and left out of the read if nothing else wants it)."""
        loop = asyncio.get_running_loop()
        future: asyncio.Future[Fetched] = loop.create_future()
        if self.closed:
            future.cancel()
            return future
        wish = self._wishes.get(uscc)
        if wish is None:
            wish = self._wishes[uscc] = _Wish(request_id)
        wish.futures.append(future)
        if not self._scheduled and self.in_flight < self.in_flight_limit:
            self._scheduled = True
            loop.call_soon(self._flush)
        return future

    def _flush(self) -> None:
        self._scheduled = False
        loop = asyncio.get_running_loop()
        while self._wishes and self.in_flight < self.in_flight_limit:
            batch: dict[str, _Wish] = {}
            while self._wishes and len(batch) < self.max_codes:
                uscc = next(iter(self._wishes))  # the oldest first
                wish = self._wishes.pop(uscc)
                if not all(f.done() for f in wish.futures):  # a lookup that gave up waiting is not asked for
                    batch[uscc] = wish
            if not batch:
                continue
            self.in_flight += 1
            task = loop.create_task(self._read(batch))
            self._tasks[task] = batch
            task.add_done_callback(self._sent)

    def _sent(self, task: asyncio.Task[None]) -> None:
        """Always called, even for a task cancelled before it ran: no wish is left waiting for ever."""
        batch = self._tasks.pop(task)
        self.in_flight -= 1
        exc = None if task.cancelled() else task.exception()
        for wish in batch.values():
            for future in wish.futures:
                if future.done():
                    continue
                if exc is not None and isinstance(exc, Exception):  # a bug: the lookups hear it
                    future.set_exception(exc)
                else:  # cancelled with the gateway's shutdown
                    future.cancel()
        if self._wishes and not self._scheduled and not self.closed:
            self._scheduled = True
            asyncio.get_running_loop().call_soon(self._flush)

    async def _read(self, batch: dict[str, _Wish]) -> None:
        self.requests += 1
        self.codes += len(batch)
        deadline = asyncio.get_running_loop().time() + self.timeout
        single = len(batch) == 1
        if single:
            (uscc, wish), = batch.items()
            request = self.upstream.request_bytes(self.path.format(uscc), self.headers(wish.request_id))
        else:
            request = self.upstream.request_bytes(f"{BATCH_PATH}?uscc={','.join(batch)}", self.headers(""))
        try:
            try:
                status, raw = await self.upstream.get(request, deadline)
            except StaleConnection:  # a kept-alive connection closed under us: once more on a new one
                status, raw = await self.upstream.get_again(request, deadline)
        except (OSError, TimeoutError, HttpParserError) as exc:
            log.warning("upstream unavailable", source=self.source, codes=len(batch),
                        host=f"{self.upstream.host}:{self.upstream.port}", error=repr(exc))
            self._answer(batch, lambda _: Fetched(self.source, None))
            return
        if not single and status == 404:  # a service without the batch read (an older version): one read each,
            gate = asyncio.Semaphore(self.in_flight_limit)  # no more at once than the reads this service may have out

            async def alone(uscc: str, wish: _Wish) -> None:
                async with gate:
                    await self._read({uscc: wish})

            await asyncio.gather(*[alone(uscc, wish) for uscc, wish in batch.items()])
            return
        self._answer(batch, self._reader(single, status, raw))

    def _reader(self, single: bool, status: int, raw: bytes) -> Callable[[str], Fetched]:
        try:
            body = orjson.loads(raw) if raw else None
        except orjson.JSONDecodeError:
            log.warning("upstream answered non-JSON", source=self.source, status=status)
            body = None
        if single:
            return lambda _: Fetched(self.source, status, body)
        if status != 200 or not isinstance(body, dict):  # the whole batch refused or failed: each wish alike
            failed = Fetched(self.source, status if status != 200 else 502)
            return lambda _: failed

        def one(uscc: str) -> Fetched:
            answer = body.get(uscc)
            if not (isinstance(answer, list) and len(answer) == 2 and isinstance(answer[0], int)):
                return Fetched(self.source, 502)  # the service left this code out: not an answer we can use
            return Fetched(self.source, answer[0], answer[1])

        return one

    @staticmethod
    def _answer(batch: dict[str, _Wish], fetched: Callable[[str], Fetched]) -> None:
        for uscc, wish in batch.items():
            answer = fetched(uscc)
            for future in wish.futures:
                if not future.done():
                    future.set_result(answer)

    def close(self) -> None:
        """At shutdown: reads out are cancelled, and so are the wishes still queued (nothing waits for ever)."""
        self.closed = True
        for task in list(self._tasks):
            task.cancel()
        wishes, self._wishes = self._wishes, {}
        for wish in wishes.values():
            for future in wish.futures:
                future.cancel()
