"""The fan-out's own HTTP/1.1 client: one GET to a service over a kept-alive connection, with no per-request task.

A cold 一社一码 lookup is four upstream GETs; with aiohttp each costs more CPU than the service's answer (request
objects, header multidicts, timers, a task per request). Here a request is pre-built bytes written to an idle
connection, the answer is parsed by httptools (the C parser uvicorn uses) and handed to a future: the caller awaits
four futures at once. Only plain `http://` upstreams are served this way (anything else goes through aiohttp).

- connections are kept per upstream (at most `limit`, LIFO) and dropped after `idle_seconds` unused, under
  uvicorn's 5 s keep-alive, so a connection the service is closing is not picked up; if a reused connection is
  closed before any byte of the answer came back, the GET is sent once more on a new one (it is idempotent);
- every request has its deadline (the caller's per-upstream timeout): when it passes the connection is closed
  and the future fails with TimeoutError;
- a refused connection, a reset or a malformed answer fails the future with an OSError / HttpParserError: the
  caller reports the source missing and counts the failure on its breaker.
"""

from __future__ import annotations

import asyncio
from collections import deque
from urllib.parse import urlsplit

import httptools


class StaleConnection(ConnectionResetError):
    """A kept-alive connection was closed before any byte of the answer arrived: safe to send again."""


class _Connection(asyncio.Protocol):
    __slots__ = ("chunks", "idle_since", "parser", "received", "reused", "timer", "transport", "upstream", "waiter")

    def __init__(self, upstream: Upstream) -> None:
        self.upstream = upstream
        self.transport: asyncio.Transport | None = None
        self.parser = httptools.HttpResponseParser(self)
        self.waiter: asyncio.Future[tuple[int, bytes]] | None = None
        self.chunks: list[bytes] = []
        self.received = False
        self.reused = False
        self.timer: asyncio.TimerHandle | None = None
        self.idle_since = 0.0

    # --- asyncio.Protocol ---
    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]

    def data_received(self, data: bytes) -> None:
        self.received = True
        try:
            self.parser.feed_data(data)
        except httptools.HttpParserError as exc:
            self._fail(exc)
            self.close()

    def connection_lost(self, exc: Exception | None) -> None:
        self.transport = None
        self.upstream._forget(self)
        if self.waiter is not None:
            stale = self.reused and not self.received
            self._fail(StaleConnection("kept-alive connection closed") if stale
                       else ConnectionResetError(f"connection to {self.upstream.name} closed: {exc!r}"))

    # --- httptools callbacks ---
    def on_body(self, body: bytes) -> None:
        self.chunks.append(body)

    def on_message_complete(self) -> None:
        waiter, self.waiter = self.waiter, None
        if waiter is None:  # an answer nobody asked for (e.g. after a timeout): this connection is not usable
            self.close()
            return
        body, self.chunks = b"".join(self.chunks), []
        status = self.parser.get_status_code()
        if self.timer is not None:
            self.timer.cancel()
            self.timer = None
        if self.parser.should_keep_alive():
            self.upstream._release(self)
        else:
            self.close()
        if not waiter.done():
            waiter.set_result((status, body))

    # --- use ---
    def send(self, request: bytes, waiter: asyncio.Future[tuple[int, bytes]], deadline: float) -> None:
        self.waiter, self.received = waiter, False
        self.timer = self.upstream.loop.call_at(deadline, self._timed_out)
        self.transport.write(request)

    def _timed_out(self) -> None:
        self.timer = None
        self._fail(TimeoutError(f"{self.upstream.name} did not answer in time"))
        self.close()  # the answer may still come: this connection cannot be reused

    def _fail(self, exc: BaseException) -> None:
        waiter, self.waiter = self.waiter, None
        if self.timer is not None:
            self.timer.cancel()
            self.timer = None
        if waiter is not None and not waiter.done():
            waiter.set_exception(exc)

    def close(self) -> None:
        if self.transport is not None:
            self.transport.close()


class Upstream:
    """Kept-alive connections to one service (`http://host:port[/prefix]`)."""

    def __init__(self, name: str, base_url: str, *, limit: int = 100, idle_seconds: float = 4.0) -> None:
        parts = urlsplit(base_url)
        if parts.scheme != "http" or not parts.hostname:
            raise ValueError(f"{name}: only http:// upstreams use the fan-out client ({base_url})")
        self.name = name
        self.host = parts.hostname
        self.port = parts.port or 80
        self.prefix = parts.path.rstrip("/").encode()
        self.limit = limit
        self.idle_seconds = idle_seconds
        self.loop = asyncio.get_running_loop()
        self._head = f"Host: {parts.netloc}\r\n".encode()
        self._idle: list[_Connection] = []
        self._open: set[_Connection] = set()
        self._connecting = 0
        self._waiting: deque[asyncio.Future[_Connection]] = deque()

    def request_bytes(self, path: str, headers: bytes) -> bytes:
        """`headers`: pre-built `Name: value\\r\\n` lines. The path must be plain printable ASCII without spaces: a
        CR/LF in it could smuggle a second request onto a kept-alive connection."""
        if not (path.isascii() and path.isprintable()) or " " in path:
            raise ValueError(f"refusing an unsafe request path {path!r}")
        return b"GET " + self.prefix + path.encode() + b" HTTP/1.1\r\n" + self._head + headers + b"\r\n"

    def get(self, request: bytes, deadline: float) -> asyncio.Future[tuple[int, bytes]]:
        """Send `request` (from request_bytes) now if a connection is idle; the future gives (status, body)."""
        conn = self._take()
        if conn is None:
            return asyncio.ensure_future(self._get_fresh(request, deadline))
        waiter = self.loop.create_future()
        conn.reused = True
        conn.send(request, waiter, deadline)
        return waiter

    async def get_again(self, request: bytes, deadline: float) -> tuple[int, bytes]:
        """After a StaleConnection: once more, on a new connection."""
        return await self._get_fresh(request, deadline)

    async def _get_fresh(self, request: bytes, deadline: float) -> tuple[int, bytes]:
        async with asyncio.timeout_at(deadline):
            conn = None
            while len(self._open) + self._connecting >= self.limit and (conn := self._take()) is None:
                waiter = self.loop.create_future()  # woken when a connection is released or closed
                self._waiting.append(waiter)
                await waiter
            if conn is None:
                self._connecting += 1
                try:
                    _, conn = await self.loop.create_connection(lambda: _Connection(self), self.host, self.port)
                finally:
                    self._connecting -= 1
                    self._wake()
                self._open.add(conn)
            else:
                conn.reused = True
            answer = self.loop.create_future()
            conn.send(request, answer, deadline)
            return await answer

    def _take(self) -> _Connection | None:
        idle = self._idle
        now = self.loop.time()
        while idle:
            conn = idle.pop()
            if conn.transport is not None and now - conn.idle_since < self.idle_seconds:
                return conn
            conn.close()
        return None

    def _release(self, conn: _Connection) -> None:
        conn.idle_since = self.loop.time()
        self._idle.append(conn)
        self._wake()

    def _forget(self, conn: _Connection) -> None:
        self._open.discard(conn)
        if conn in self._idle:
            self._idle.remove(conn)
        self._wake()

    def _wake(self) -> None:
        while self._waiting:
            waiter = self._waiting.popleft()
            if not waiter.done():
                waiter.set_result(None)
                return

    def close(self) -> None:
        for conn in list(self._open):
            conn.close()
        self._idle.clear()
