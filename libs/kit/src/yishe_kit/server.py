"""uvicorn's HTTP/1.1 protocol, with each connection's writes of one event-loop turn sent together.

uvicorn (httptools) writes an answer's status line and headers, then its body: two writes, and with TCP_NODELAY two
packets and two `send` system calls, each a wake-up of the reader on the other side. Here the connection's transport
gathers what is written during one turn of the event loop and sends it in one write at the end of that turn (or at
once past `FLUSH_BYTES`, before closing, on `write_eof`). Nothing waits longer than the turn it was written in, so
no latency is added beyond it, and flow control sees the bytes as soon as they are handed on.

It also answers, without an ASGI task, a request the app can answer from memory or from a load already under way
(`answer_now`, below): the gateway's 一社一码 lookups, held (answered at once) or not (answered when the profile's
fan-out comes back). uvicorn gives every request a task, a request-response cycle and its `receive`/`send`
awaitables; for an answer that is bytes already held, that machinery was about half the CPU of the lookup
(py-spy, bench/gateway_profile.py). The answer written here is the one the ASGI path would send, byte for byte
(status line, uvicorn's default headers, the app's headers, `connection: close` when the connection is not kept).

The platform's processes are started with it (`uvicorn --http yishe_kit.server:HttpToolsProtocol`, as
`scripts/stack.py` and the deploy images do). Measured in `bench/gateway_profile.py` (see gateway/README.md)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from functools import partial
from typing import Any

import httptools
from uvicorn.protocols.http.httptools_impl import HEADER_VALUE_RE, STATUS_LINE, RequestResponseCycle
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol as _UvicornHttpTools

FLUSH_BYTES = 256 * 1024
"""Past this much gathered, it goes at once (a large body written in one turn is not held in a second copy)."""

HTTP_OPTION = "yishe_kit.server:HttpToolsProtocol"
"""uvicorn's `--http` value for this protocol."""


class GatheringTransport:
    """A transport that hands its writes of one loop turn to the real one as a single write; everything else is the
    real transport's."""

    __slots__ = ("_buffer", "_loop", "_scheduled", "_size", "_transport")

    def __init__(self, transport: asyncio.Transport, loop: asyncio.AbstractEventLoop) -> None:
        self._transport = transport
        self._loop = loop
        self._buffer: list[bytes] = []
        self._size = 0
        self._scheduled = False

    def write(self, data: bytes | bytearray | memoryview) -> None:
        if not data:
            return
        self._buffer.append(bytes(data))
        self._size += len(data)
        if self._size >= FLUSH_BYTES:
            self.flush()
        elif not self._scheduled:
            self._scheduled = True
            self._loop.call_soon(self._flush_scheduled)

    def writelines(self, lines: Any) -> None:
        for data in lines:
            self.write(data)

    def _flush_scheduled(self) -> None:
        self._scheduled = False
        self.flush()

    def flush(self) -> None:
        if not self._buffer:
            return
        data = self._buffer[0] if len(self._buffer) == 1 else b"".join(self._buffer)
        self._buffer.clear()
        self._size = 0
        if not self._transport.is_closing():
            self._transport.write(data)

    def get_write_buffer_size(self) -> int:
        return self._transport.get_write_buffer_size() + self._size

    def write_eof(self) -> None:
        self.flush()
        self._transport.write_eof()

    def close(self) -> None:
        self.flush()
        self._transport.close()

    def abort(self) -> None:
        self._buffer.clear()
        self._size = 0
        self._transport.abort()

    def __getattr__(self, name: str) -> Any:  # pause_reading, is_closing, get_extra_info, set_protocol, …
        return getattr(self._transport, name)


Answer = tuple[int, list[tuple[bytes, bytes]], bytes]
"""What `answer_now` gives: status, headers (uvicorn adds its default ones), body."""

Later = asyncio.Future
"""What `answer_now` gives for an answer that comes later (a load under way): a future of an `Answer`, or of None
(or an error, or cancelled) for a request the ASGI path must answer after all."""


class _NoWait:
    __slots__ = ()

    def set(self) -> None:
        pass


class _Answered:
    """The request-response cycle of a request answered at once: complete, as uvicorn's own cycle is once its answer
    is sent (what the protocol asks of it: `response_complete`, and `message_event` on a lost connection)."""

    __slots__ = ()
    response_complete = True
    message_event = _NoWait()


ANSWERED = _Answered()


class _Pending:
    """The cycle of a request whose answer comes later (`Later`), until it is written: what the protocol reads and
    sets on a cycle meanwhile (a pipelined request queues behind it, a lost connection marks it, a graceful shutdown
    asks it not to keep the connection, the request's end is noted)."""

    __slots__ = ("disconnected", "keep_alive", "more_body", "response_complete")
    message_event = _NoWait()

    def __init__(self, keep_alive: bool) -> None:
        self.keep_alive = keep_alive
        self.response_complete = False
        self.disconnected = False
        self.more_body = True


class HttpToolsProtocol(_UvicornHttpTools):
    """uvicorn's httptools protocol over a `GatheringTransport`, answering at once what the app can (`answer_now`).

    The app (as uvicorn loaded it, with no uvicorn middleware around it: the gateway runs `--no-proxy-headers`, so
    the client address is the socket's, as the app would see it) may have a method `answer_now(scope)` that returns
    an `Answer`, a `Later` or None, synchronously and without raising. It is asked only for a GET with nothing else
    in flight on the connection: no earlier request still being answered or queued behind one, no body announced, no
    `Expect: 100-continue`, writing not paused, no root path, uvicorn's own access log off and its concurrency limit
    not set. Everything else, and every request it declines, takes uvicorn's path unchanged; so does a `Later` that
    comes to None or an error (the ASGI path then answers the request from the start). Requests pipelined behind a
    `Later` wait for its answer, in order, as behind any request being answered."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        now = getattr(self.app, "answer_now", None)
        self._answer_now: Callable[[dict], Answer | Later[Answer | None] | None] | None = (
            now if now is not None and not self.root_path and not self.access_log and self.limit_concurrency is None
            else None)

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        super().connection_made(GatheringTransport(transport, self.loop))  # type: ignore[arg-type]

    def on_headers_complete(self) -> None:
        self._unset_keepalive_if_required()  # a request is here: an answer given at once may have armed it
        if self._answer_now is None or not self._answered_now():
            super().on_headers_complete()

    def _answered_now(self) -> bool:
        parser = self.parser
        cycle = self.cycle
        if (parser.get_method() != b"GET" or (cycle is not None and not cycle.response_complete) or self.pipeline
                or self.expect_100_continue or self.flow.write_paused or parser.should_upgrade()):
            return False
        scope: Any = self.scope
        for name, _ in scope["headers"]:
            if name == b"content-length" or name == b"transfer-encoding":
                return False
        url = httptools.parse_url(self.url)
        path = url.path.decode("ascii")
        if "%" in path:
            return False
        http_version = parser.get_http_version()
        scope["method"] = "GET"
        if http_version != "1.1":
            scope["http_version"] = http_version
        scope["path"], scope["raw_path"], scope["query_string"] = path, url.path, url.query or b""
        assert self._answer_now is not None
        answer = self._answer_now(scope)
        if answer is None:
            return False
        keep_alive = http_version != "1.0" and parser.should_keep_alive()
        if isinstance(answer, Later):
            pending = _Pending(keep_alive)
            self.cycle = pending  # type: ignore[assignment]
            answer.add_done_callback(partial(self._answered_later, pending, scope))
            return True
        content = self._content(answer, keep_alive)
        if content is None:
            return False  # uvicorn's path refuses it and says why (an app's own mistake: it has counted it once)
        self.cycle = ANSWERED  # type: ignore[assignment]
        self._write(content, keep_alive)
        return True

    def _content(self, answer: Answer, keep_alive: bool) -> bytes | None:
        """The answer's bytes as uvicorn would write them, or None for a header value uvicorn would refuse."""
        status, headers, body = answer
        content = [STATUS_LINE[status]]
        for name, value in self.server_state.default_headers:
            content += (name, b": ", value, b"\r\n")
        for name, value in headers:
            if HEADER_VALUE_RE.search(value):
                return None
            content += (name, b": ", value, b"\r\n")
        if not keep_alive:
            content.append(b"connection: close\r\n")
        content += (b"\r\n", body)
        return b"".join(content)

    def _write(self, content: bytes, keep_alive: bool) -> None:
        self.transport.write(content)
        if not keep_alive:
            self.transport.close()
        self.on_response_complete()

    def _answered_later(self, pending: _Pending, scope: Any, later: Later[Answer | None]) -> None:
        """A `Later` is done: its answer written (the next pipelined request then starts), or the request handed to
        the ASGI path. Nothing is written to a connection already lost."""
        answer = None if later.cancelled() or later.exception() is not None else later.result()
        if pending.disconnected or self.transport.is_closing():
            pending.response_complete = True
            return
        content = None if answer is None else self._content(answer, pending.keep_alive)
        if content is not None:
            pending.response_complete = True
            self._write(content, pending.keep_alive)
            return
        cycle = RequestResponseCycle(  # as uvicorn's own on_headers_complete builds it, for the request as it came
            scope=scope, transport=self.transport, flow=self.flow, logger=self.logger,
            access_logger=self.access_logger, access_log=self.access_log,
            default_headers=self.server_state.default_headers, message_event=asyncio.Event(),
            expect_100_continue=False, keep_alive=pending.keep_alive, on_response=self.on_response_complete)
        cycle.more_body = pending.more_body
        if not pending.more_body:
            cycle.message_event.set()
        if self.cycle is pending:  # type: ignore[comparison-overlap]  # (set so by _answered_now)
            self.cycle = cycle
        self._start_asgi_task(cycle, self.app)
