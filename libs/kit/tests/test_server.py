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


# ---- answers given at once (`answer_now`): a front lane's held bytes, without an ASGI task --------------------------

HELD = b'{"held":"\xe6\xb8\xa9\xe5\xb7\x9e"}'
HELD_ANSWER = 200, [(b"content-type", b"application/json"), (b"content-length", str(len(HELD)).encode())], HELD


class _Lane:
    """A front lane answering GET /held: at once (`answer_now`, when `eager`) or through ASGI (`serve`); counts both."""

    def __init__(self, eager: bool) -> None:
        self.eager, self.now, self.later, self.served = eager, 0, 0, 0
        if not eager:
            self.answer_now = None  # type: ignore[assignment]

    def answer_now(self, scope: dict) -> Any:
        path = scope["path"]
        if path == "/held":
            self.now += 1
            return HELD_ANSWER
        if not path.startswith("/later"):
            return None
        self.later += 1  # an answer that comes later: held bytes, or (/later-none, /later-error) none after all
        later = asyncio.get_running_loop().create_future()
        outcome = {"/later": HELD_ANSWER, "/later-none": None, "/later-error": RuntimeError("the load failed")}[path]
        done = later.set_exception if isinstance(outcome, Exception) else later.set_result
        asyncio.get_running_loop().call_later(0.05, done, outcome)
        return later

    async def serve(self, scope: dict, receive: Any, send: Any) -> bool:
        if scope["type"] != "http" or scope["path"] not in ("/held", "/later", "/later-none", "/later-error"):
            return False
        self.served += 1
        await send({"type": "http.response.start", "status": 200,
                    "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(HELD)).encode())]})
        await send({"type": "http.response.body", "body": HELD})
        return True


def fronted(eager: bool) -> tuple[Any, _Lane]:
    from yishe_kit.front import FrontedApp

    front_app = FrontedApp()
    lane = _Lane(eager)
    front_app.front = lane

    @front_app.get("/slow")
    async def slow() -> dict[str, str]:
        await asyncio.sleep(0.3)
        return {"slow": "慢"}

    return front_app, lane


async def serve_app(front_app: Any, **config: Any) -> tuple[uvicorn.Server, asyncio.Task[None], tuple[str, int]]:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    server = uvicorn.Server(uvicorn.Config(front_app, http=HttpToolsProtocol, lifespan="off", log_level="warning",
                                           access_log=False, proxy_headers=False, **config))
    task = asyncio.create_task(server.serve(sockets=[sock]))
    while not server.started:
        await asyncio.sleep(0.01)
    return server, task, sock.getsockname()


async def exchange(address: tuple[str, int], raw: bytes, answers: int, *, to_eof: bool = False) -> list[bytes]:
    """Send `raw` in one write; read `answers` HTTP answers (their status line, headers and body, whole)."""
    reader, writer = await asyncio.open_connection(*address)
    writer.write(raw)
    out: list[bytes] = []
    try:
        for _ in range(answers):
            head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 5)
            length = int(next(line.split(b":")[1] for line in head.split(b"\r\n")
                              if line.lower().startswith(b"content-length:")))
            out.append(head + await asyncio.wait_for(reader.readexactly(length), 5))
        if to_eof:
            assert await asyncio.wait_for(reader.read(), 5) == b""  # the server closed the connection
    finally:
        writer.close()
    return out


def without_date(answer: bytes) -> bytes:
    return b"\r\n".join(line for line in answer.split(b"\r\n") if not line.startswith(b"date:"))


GET_HELD = b"GET /held HTTP/1.1\r\nHost: t\r\n\r\n"
GET_SLOW = b"GET /slow HTTP/1.1\r\nHost: t\r\n\r\n"


@pytest.fixture
async def apps() -> AsyncIterator[Any]:
    started: list[tuple[uvicorn.Server, asyncio.Task[None]]] = []

    async def start(eager: bool, **config: Any) -> tuple[tuple[str, int], _Lane]:
        front_app, lane = fronted(eager)
        server, task, address = await serve_app(front_app, **config)
        started.append((server, task))
        return address, lane

    yield start
    for server, task in started:
        server.should_exit = True
        await task


async def test_a_held_answer_is_given_at_once_with_the_bytes_the_asgi_path_sends(apps) -> None:
    eager_at, eager = await apps(True)
    asgi_at, asgi = await apps(False)
    now = await exchange(eager_at, GET_HELD * 3, 3)  # one kept-alive connection, three answers, none by a task
    routed = await exchange(asgi_at, GET_HELD, 1)
    assert (eager.now, eager.served, asgi.now, asgi.served) == (3, 0, 0, 1)
    assert {without_date(a) for a in now} == {without_date(routed[0])}
    assert now[0].startswith(b"HTTP/1.1 200 OK\r\n") and b"\r\ndate: " in now[0] and now[0].endswith(HELD)


async def test_pipelined_requests_are_answered_in_order_around_answers_given_at_once(apps) -> None:
    """A request waiting behind one still being answered takes uvicorn's path (it queues them in order); one given
    at once leaves the next to run as before, and does not leave the keep-alive timer armed under it."""
    address, lane = await apps(True, timeout_keep_alive=0.1)  # shorter than /slow's 0.3 s
    answers = await exchange(address, GET_HELD + GET_SLOW + GET_HELD, 3)
    assert [a.rsplit(b"\r\n\r\n", 1)[1] for a in answers] == [HELD, '{"slow":"慢"}'.encode(), HELD]
    assert (lane.now, lane.served) == (1, 1)  # the third waited behind /slow: queued, then served by its task


async def test_a_connection_the_client_closes_is_closed_after_an_answer_given_at_once(apps) -> None:
    address, lane = await apps(True)
    closing = await exchange(address, b"GET /held HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n", 1, to_eof=True)
    old = await exchange(address, b"GET /held HTTP/1.0\r\n\r\n", 1, to_eof=True)
    assert all(b"\r\nconnection: close\r\n" in a and a.endswith(HELD) for a in closing + old)
    assert lane.now == 2


async def test_a_request_with_a_body_or_an_expectation_takes_the_asgi_path(apps) -> None:
    address, lane = await apps(True)
    with_body = b"GET /held HTTP/1.1\r\nHost: t\r\nContent-Length: 2\r\n\r\nab"
    expecting = b"GET /held HTTP/1.1\r\nHost: t\r\nExpect: 100-continue\r\nContent-Length: 0\r\n\r\n"
    answers = await exchange(address, with_body + expecting, 2)
    assert all(a.endswith(HELD) for a in answers) and (lane.now, lane.served) == (0, 2)


async def test_an_idle_connection_is_closed_after_the_keep_alive_timeout_following_an_answer_given_at_once(
        apps) -> None:
    address, lane = await apps(True, timeout_keep_alive=0.2)
    reader, writer = await asyncio.open_connection(*address)
    writer.write(GET_HELD)
    head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 5)
    assert head.startswith(b"HTTP/1.1 200") and await asyncio.wait_for(reader.readexactly(len(HELD)), 5) == HELD
    assert await asyncio.wait_for(reader.read(), 5) == b""  # closed by the server once idle
    writer.close()
    assert lane.now == 1


# ---- answers that come later (`answer_now` gives a future): a load under way, without an ASGI task -----------------

GET_LATER = b"GET /later HTTP/1.1\r\nHost: t\r\n\r\n"


async def test_an_answer_that_comes_later_is_written_when_it_comes_with_the_bytes_the_asgi_path_sends(apps) -> None:
    address, lane = await apps(True)
    asgi_at, _ = await apps(False)
    later = await exchange(address, GET_LATER, 1)
    routed = await exchange(asgi_at, GET_HELD, 1)
    assert (lane.later, lane.served) == (1, 0)
    assert without_date(later[0]) == without_date(routed[0])


async def test_requests_pipelined_behind_an_answer_that_comes_later_wait_for_it_in_order(apps) -> None:
    """/later answers after 0.05 s; /held behind it, though answerable at once, must not overtake it."""
    address, lane = await apps(True, timeout_keep_alive=0.02)  # shorter than the wait: not armed while it lasts
    answers = await exchange(address, GET_LATER + GET_HELD + GET_LATER + GET_SLOW, 4)
    assert [a.rsplit(b"\r\n\r\n", 1)[1] for a in answers] == [HELD, HELD, HELD, '{"slow":"慢"}'.encode()]
    assert (lane.later, lane.served) == (1, 2)  # the rest were queued behind it and taken by uvicorn's path


async def test_an_answer_that_does_not_come_hands_the_request_to_the_asgi_path(apps) -> None:
    address, lane = await apps(True)
    answers = await exchange(address, b"GET /later-none HTTP/1.1\r\nHost: t\r\n\r\n"
                             + b"GET /later-error HTTP/1.1\r\nHost: t\r\n\r\n" + GET_HELD, 3)
    assert all(a.endswith(HELD) for a in answers)
    assert (lane.later, lane.served, lane.now) == (1, 3, 0)  # all three by the ASGI path: queued behind the first


async def test_an_answer_that_comes_later_closes_a_connection_not_kept_and_skips_one_lost(apps) -> None:
    address, lane = await apps(True)
    closing = await exchange(address, b"GET /later HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n", 1,
                             to_eof=True)
    assert b"\r\nconnection: close\r\n" in closing[0] and closing[0].endswith(HELD)
    _, writer = await asyncio.open_connection(*address)
    writer.write(GET_LATER)
    await writer.drain()
    writer.close()  # gone before the answer comes: nothing is written, nothing fails
    await asyncio.sleep(0.1)
    assert (await exchange(address, GET_LATER, 1))[0].endswith(HELD) and lane.later == 3
