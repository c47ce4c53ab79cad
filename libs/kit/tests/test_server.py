"""yishe_kit.server: uvicorn's protocol sending each connection's writes of one loop turn together. A real uvicorn
server on a real socket; the writes reaching the socket's transport are counted."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
import uvicorn
from fastapi import FastAPI
from fastapi.responses import StreamingResponse
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol as PlainProtocol

from yishe_kit.server import FLUSH_BYTES, HttpToolsProtocol

BIG = "汉" * 400_000  # 1.2 MB of UTF-8: past FLUSH_BYTES, written in one turn

app = FastAPI()


@app.get("/small")
async def small() -> dict[str, str]:
    return {"名称": "温州市甲协会"}


@app.get("/big")
async def big() -> dict[str, str]:
    return {"text": BIG}


@app.get("/stream")
async def stream() -> StreamingResponse:
    async def chunks() -> AsyncIterator[bytes]:
        for n in range(3):
            yield f"第{n}段\n".encode()
            await asyncio.sleep(0.01)

    return StreamingResponse(chunks(), media_type="text/plain; charset=utf-8")


class _Counting:
    """The real transport, its writes recorded (what goes to the socket, in how many writes)."""

    def __init__(self, transport: Any, writes: list[bytes]) -> None:
        self._transport, self._writes = transport, writes

    def write(self, data: bytes) -> None:
        self._writes.append(bytes(data))
        self._transport.write(data)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._transport, name)


def counted(base: type) -> tuple[type, list[bytes]]:
    writes: list[bytes] = []

    class Counted(base):  # type: ignore[misc, valid-type]
        def connection_made(self, transport: Any) -> None:
            super().connection_made(_Counting(transport, writes))

    return Counted, writes


async def serve(protocol: type) -> tuple[uvicorn.Server, asyncio.Task[None], str]:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    config = uvicorn.Config(app, http=protocol, lifespan="off", log_level="warning", access_log=False)
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve(sockets=[sock]))
    while not server.started:
        await asyncio.sleep(0.01)
    return server, task, f"http://127.0.0.1:{sock.getsockname()[1]}"


@pytest.fixture
async def running() -> AsyncIterator[Any]:
    started: list[tuple[uvicorn.Server, asyncio.Task[None]]] = []

    async def start(protocol: type) -> str:
        server, task, url = await serve(protocol)
        started.append((server, task))
        return url

    yield start
    for server, task in started:
        server.should_exit = True
        await task


@pytest.mark.parametrize(("base", "writes_per_answer"), [(PlainProtocol, 2), (HttpToolsProtocol, 1)],
                         ids=["uvicorn's own", "gathering"])
async def test_an_answer_goes_to_the_socket_in_one_write(running, base: type, writes_per_answer: int) -> None:
    protocol, writes = counted(base)
    url = await running(protocol)
    async with httpx.AsyncClient(base_url=url) as client:
        for _ in range(3):  # one kept-alive connection, three answers
            answer = await client.get("/small")
            assert answer.json() == {"名称": "温州市甲协会"}
    assert len(writes) == 3 * writes_per_answer
    if writes_per_answer == 1:
        assert all(w.startswith(b"HTTP/1.1 200 OK\r\n") and w.endswith("温州市甲协会\"}".encode()) for w in writes)


async def test_large_streamed_closing_and_head_answers_arrive_whole(running) -> None:
    protocol, _ = counted(HttpToolsProtocol)
    url = await running(protocol)
    async with httpx.AsyncClient(base_url=url) as client:
        big = await client.get("/big")
        assert big.json() == {"text": BIG}
        assert len(big.content) > FLUSH_BYTES  # handed on at once, not held for the turn's end
        streamed = await client.get("/stream")
        assert streamed.text == "第0段\n第1段\n第2段\n"
        head = await client.head("/small")
        assert head.status_code == 405 and head.content == b""
    # A client asking the server to close: the answer is sent before the connection is closed.
    reader, writer = await asyncio.open_connection(*url.removeprefix("http://").split(":"))
    writer.write(b"GET /small HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n")
    raw = await asyncio.wait_for(reader.read(), 5)  # to EOF: the server closed after answering
    writer.close()
    assert raw.startswith(b"HTTP/1.1 200 OK") and raw.endswith("温州市甲协会\"}".encode())
