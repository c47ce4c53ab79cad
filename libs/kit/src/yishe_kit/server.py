"""uvicorn's HTTP/1.1 protocol, with each connection's writes of one event-loop turn sent together.

uvicorn (httptools) writes an answer's status line and headers, then its body: two writes, and with TCP_NODELAY two
packets and two `send` system calls, each a wake-up of the reader on the other side. Here the connection's transport
gathers what is written during one turn of the event loop and sends it in one write at the end of that turn (or at
once past `FLUSH_BYTES`, before closing, on `write_eof`). Nothing waits longer than the turn it was written in, so
no latency is added beyond it, and flow control sees the bytes as soon as they are handed on.

The platform's processes are started with it (`uvicorn --http yishe_kit.server:HttpToolsProtocol`, as
`scripts/stack.py` and the deploy images do). Measured in `bench/gateway_profile.py` (see gateway/README.md)."""

from __future__ import annotations

import asyncio
from typing import Any

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


class HttpToolsProtocol(_UvicornHttpTools):
    """uvicorn's httptools protocol over a `GatheringTransport`."""

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        super().connection_made(GatheringTransport(transport, self.loop))  # type: ignore[arg-type]
