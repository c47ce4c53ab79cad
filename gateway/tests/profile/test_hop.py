"""The fan-out's own HTTP client (profile/hop.py) against a raw socket server that misbehaves on purpose: kept-alive
connections, a connection closed under a reused request, timeouts, chunked and closing answers, the limit."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field

import orjson
import pytest

from yishe_gateway.config import BreakerSettings, FanoutSettings, Settings, Upstreams
from yishe_gateway.profile.breaker import Breakers
from yishe_gateway.profile.fanout import PATHS, Hops, fetch_all
from yishe_gateway.profile.hop import Upstream
from yishe_kit.testing import asserted

USCC = "51330300MJ8A2T0116"


def ok(body: dict, extra: bytes = b"") -> bytes:
    raw = orjson.dumps(body)
    return b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: %d\r\n%s\r\n%s" % (
        len(raw), extra, raw)


@dataclass
class RawServer:
    """Answers each request with `answer(n, request)` (n counts requests on the connection; None = say nothing)."""

    answer: Callable[[int, bytes], bytes | None]
    connections: int = 0
    requests: list[bytes] = field(default_factory=list)
    close_after: set[int] = field(default_factory=set)  # request numbers after which the server hangs up
    url: str = ""

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        n = 0
        try:
            while True:
                request = await reader.readuntil(b"\r\n\r\n")
                n += 1
                self.requests.append(request)
                reply = self.answer(n, request)
                if reply is not None:
                    writer.write(reply)
                    await writer.drain()
                if n in self.close_after:
                    break
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()


@pytest.fixture
async def raw() -> AsyncIterator[Callable[..., asyncio.Future]]:
    servers = []

    async def start(answer: Callable[[int, bytes], bytes | None], **kw) -> RawServer:
        server = RawServer(answer, **kw)
        srv = await asyncio.start_server(server.handle, "127.0.0.1", 0)
        servers.append(srv)
        server.url = f"http://127.0.0.1:{srv.sockets[0].getsockname()[1]}"
        return server

    yield start
    for srv in servers:
        srv.close()


def settings_for(url: str, timeout: float = 1.0) -> Settings:
    return Settings(upstreams=Upstreams(**dict.fromkeys(PATHS, url)), upstream_timeout_seconds=timeout,
                    events_enabled=False)


async def fan_out(settings: Settings, breakers: Breakers | None = None, hops: Hops | None = None) -> dict:
    hops = hops or Hops(settings)
    breakers = breakers or Breakers(tuple(PATHS), BreakerSettings())
    return await fetch_all(None, settings, breakers, USCC, "req-1", hops)


async def test_answers_parsed_and_connections_kept_alive_across_lookups(raw) -> None:
    server = await raw(lambda n, req: ok({"path": req.split(b" ")[1].decode(), "n": n}))
    settings = settings_for(server.url)
    hops = Hops(settings)
    first = await fan_out(settings, hops=hops)
    second = await fan_out(settings, hops=hops)
    assert {s: f.body["path"] for s, f in first.items()} == {s: f"/v1/{p.split('/')[2]}/{USCC}"
                                                             for s, p in PATHS.items()}
    assert all(f.status == 200 and f.body["n"] == 2 for f in second.values())  # the same connections again
    assert server.connections == len(PATHS)
    request = server.requests[0].decode()
    assert "X-Yishe-Role" not in request and "X-Request-ID: req-1\r\n" in request
    token = request.split("X-Yishe-Assertion: ", 1)[1].split("\r\n", 1)[0]
    assert asserted({"X-Yishe-Assertion": token})["role"] == "internal"
    assert "X-Correlation-ID: req-1\r\n" in request and "Host: 127.0.0.1:" in request
    hops.close()


async def test_a_reused_connection_closed_before_answering_is_retried_on_a_new_one(raw) -> None:
    server = await raw(lambda n, req: ok({"n": n}) if n == 1 else None, close_after={2})
    settings = settings_for(server.url)
    hops = Hops(settings)
    await fan_out(settings, hops=hops)
    again = await fan_out(settings, hops=hops)  # each reused connection is hung up on: sent again on a new one
    assert all(f.status == 200 and f.body == {"n": 1} for f in again.values())
    assert server.connections == 2 * len(PATHS)
    hops.close()


async def test_no_answer_in_time_is_a_missing_source_and_a_breaker_failure(raw) -> None:
    server = await raw(lambda n, req: None)
    settings = settings_for(server.url, timeout=0.2)
    breakers = Breakers(tuple(PATHS), BreakerSettings(failures=1, cooldown_seconds=60))
    fetched = await fan_out(settings, breakers)
    assert {f.status for f in fetched.values()} == {None}
    assert set(breakers.states().values()) == {"open"}
    skipped = await fan_out(settings, breakers)  # open breakers: not asked at all
    assert {f.status for f in skipped.values()} == {None} and len(server.requests) == len(PATHS)


async def test_refused_connection_is_a_missing_source(raw) -> None:
    from yishe_kit.testing import free_port

    fetched = await fan_out(settings_for(f"http://127.0.0.1:{free_port()}"))
    assert {f.status for f in fetched.values()} == {None}


async def test_chunked_and_closing_answers_and_error_statuses(raw) -> None:
    chunked = (b"HTTP/1.1 404 Not Found\r\ncontent-type: application/json\r\ntransfer-encoding: chunked\r\n\r\n"
               b"5\r\n{\"cod\r\nf\r\ne\":\"not_found\"}\r\n0\r\n\r\n")
    server = await raw(lambda n, req: chunked if b"/profiles/" in req else ok({"ok": True}, b"connection: close\r\n"))
    settings = settings_for(server.url)
    hops = Hops(settings)
    fetched = await fan_out(settings, hops=hops)
    assert fetched["credit"].status == 404 and fetched["credit"].body == {"code": "not_found"}
    assert fetched["registry"].status == 200 and fetched["registry"].body == {"ok": True}
    await fan_out(settings, hops=hops)
    assert server.connections == 1 + (len(PATHS) - 1) * 2  # credit's connection kept; the closing ones were not reused
    hops.close()


async def test_at_the_limit_requests_wait_for_a_connection(raw) -> None:
    server = await raw(lambda n, req: ok({"n": n}))
    upstream = Upstream("registry", server.url, limit=2)
    loop = asyncio.get_running_loop()
    request = upstream.request_bytes("/v1/organisations/" + USCC, b"")
    answers = await asyncio.gather(*[upstream.get(request, loop.time() + 2) for _ in range(6)])
    assert [status for status, _ in answers] == [200] * 6
    assert server.connections == 2
    upstream.close()


async def test_a_path_that_could_smuggle_a_second_request_is_refused() -> None:
    from yishe_gateway.profile.hop import Upstream

    upstream = Upstream("registry", "http://127.0.0.1:9")
    assert upstream.request_bytes("/v1/organisations/51330302MJA000010X", b"").startswith(b"GET /v1/organisations/")
    for bad in ("/v1/x HTTP/1.1\r\nHost: a\r\n\r\nGET /v1/y", "/v1/x y", "/v1/名称"):
        with pytest.raises(ValueError, match="unsafe"):
            upstream.request_bytes(bad, b"")


# --- gathered reads (profile/gather.py) ---------------------------------------------------------------------------

CODES = [f"51330300MJ8A2T{n:04d}" for n in range(20)]


def fragments_server(batch_status: int = 200, leave_out: str = ""):
    """A service answering the single read with {"uscc": …} and the batch read (BATCH_PATH) with each code's
    [200, {"uscc": …}], or the whole batch with `batch_status`."""
    from yishe_kit.readmodel import BATCH_PATH

    def answer(n: int, request: bytes) -> bytes:
        target = request.split(b" ")[1].decode()
        if target.startswith(BATCH_PATH + "?uscc="):
            if batch_status != 200:
                raw = orjson.dumps({"code": "nope"})
                return b"HTTP/1.1 %d X\r\ncontent-length: %d\r\n\r\n%s" % (batch_status, len(raw), raw)
            codes = target.split("=", 1)[1].split(",")
            return ok({c: [200, {"uscc": c, "batch": len(codes)}] for c in codes if c != leave_out})
        return ok({"uscc": target.rsplit("/", 1)[1], "batch": 1})

    return answer


async def lookups(settings: Settings, hops: Hops, codes: list[str]) -> list[dict]:
    breakers = Breakers(tuple(PATHS), BreakerSettings())
    return await asyncio.gather(*[fetch_all(None, settings, breakers, c, f"req-{c}", hops) for c in codes])


async def test_lookups_waiting_together_share_one_read_per_service(raw) -> None:
    server = await raw(fragments_server())
    settings = settings_for(server.url)
    hops = Hops(settings)
    answers = await lookups(settings, hops, CODES)
    for code, fetched in zip(CODES, answers, strict=True):  # each lookup its own fragment from every service
        assert {s: (f.status, f.body["uscc"]) for s, f in fetched.items()} == dict.fromkeys(PATHS, (200, code))
    assert len(server.requests) == len(PATHS)  # twenty lookups: one request a service
    assert all(f.body["batch"] == len(CODES) for fetched in answers for f in fetched.values())
    assert {g.requests for g in hops.gatherers.values()} == {1} and {g.codes for g in hops.gatherers.values()} == {20}
    alone = await lookups(settings, hops, [USCC])  # one at a time: the plain single read, with its request id
    assert all(f.body == {"uscc": USCC, "batch": 1} for f in alone[0].values())
    assert all(f"/{USCC} HTTP/1.1".encode() in r and f"X-Request-ID: req-{USCC}".encode() in r
               for r in server.requests[len(PATHS):])
    hops.close()


async def test_a_gathered_read_carries_at_most_max_codes(raw) -> None:
    server = await raw(fragments_server())
    settings = settings_for(server.url).model_copy(update={"fanout": FanoutSettings(in_flight=1, max_codes=8)})
    hops = Hops(settings)
    answers = await lookups(settings, hops, CODES)
    assert all(f.status == 200 for fetched in answers for f in fetched.values())
    assert sorted(f["credit"].body["batch"] for f in answers) == [4] * 4 + [8] * 16
    assert {g.requests for g in hops.gatherers.values()} == {3}
    hops.close()


async def test_a_service_without_the_batch_read_is_read_one_code_at_a_time(raw) -> None:
    server = await raw(fragments_server(batch_status=404))  # an older service: no such route
    settings = settings_for(server.url)
    hops = Hops(settings)
    answers = await lookups(settings, hops, CODES[:5])
    for code, fetched in zip(CODES, answers, strict=False):
        assert {s: (f.status, f.body) for s, f in fetched.items()} == dict.fromkeys(
            PATHS, (200, {"uscc": code, "batch": 1}))
    assert len(server.requests) == len(PATHS) * (1 + 5)
    hops.close()


async def test_a_failed_batch_fails_each_of_its_lookups_and_a_code_left_out_is_missing(raw) -> None:
    settings = settings_for((await raw(fragments_server(batch_status=500))).url)
    hops = Hops(settings)
    breakers = Breakers(tuple(PATHS), BreakerSettings(failures=3, cooldown_seconds=60))
    answers = await asyncio.gather(*[fetch_all(None, settings, breakers, c, "r", hops) for c in CODES[:3]])
    assert {f.status for fetched in answers for f in fetched.values()} == {500}
    assert set(breakers.states().values()) == {"open"}  # each lookup counted its failure, as a single read's
    hops.close()
    settings = settings_for((await raw(fragments_server(leave_out=CODES[1]))).url)
    hops = Hops(settings)
    answers = await lookups(settings, hops, CODES[:3])
    assert [answers[i]["party"].status for i in range(3)] == [200, 502, 200]
    hops.close()


async def test_closing_cancels_the_reads_out_and_the_wishes_queued(raw) -> None:
    server = await raw(lambda n, req: None)  # never answers
    settings = settings_for(server.url, timeout=30).model_copy(update={"fanout": FanoutSettings(in_flight=1)})
    hops = Hops(settings)
    gatherer = hops.gatherers["credit"]
    out = gatherer.ask(CODES[0], "r0")
    await asyncio.sleep(0.05)  # sent, and waiting for its answer
    queued = gatherer.ask(CODES[1], "r1")
    await asyncio.sleep(0.05)
    assert gatherer.in_flight == 1 and not queued.done()
    hops.close()
    await asyncio.sleep(0.01)  # the read's task runs once more to hear it
    assert out.cancelled() and queued.cancelled()


async def test_a_read_queued_behind_a_slow_one_gets_its_full_limit_from_when_it_is_sent() -> None:
    """Each service answers a read 0.6 s after it came; the limit is 1 s. Lookup A goes at once; B (at 0.1 s) and C
    (at 0.5 s) wait for A's read and go together at ~0.6 s, answered at ~1.2 s: past B's own limit (1.1 s: missing),
    within C's (1.5 s). Before, the read took the earliest of its lookups' deadlines and C was cut off with B."""

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                target = (await reader.readuntil(b"\r\n\r\n")).split(b" ")[1].decode()
                await asyncio.sleep(0.6)
                writer.write(fragments_server()(1, f"GET {target} HTTP/1.1\r\n\r\n".encode()))
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            writer.close()

    srv = await asyncio.start_server(handle, "127.0.0.1", 0)
    url = f"http://127.0.0.1:{srv.sockets[0].getsockname()[1]}"
    settings = settings_for(url, timeout=1.0).model_copy(update={"fanout": FanoutSettings(in_flight=1)})
    hops = Hops(settings)
    breakers = Breakers(tuple(PATHS), BreakerSettings(failures=100))

    async def lookup(code: str, after: float) -> dict:
        await asyncio.sleep(after)
        return await fetch_all(None, settings, breakers, code, "r", hops)

    a, b, c = await asyncio.gather(lookup(CODES[0], 0), lookup(CODES[1], 0.1), lookup(CODES[2], 0.5))
    assert {f.status for f in a.values()} == {200}
    assert {f.status for f in b.values()} == {None}  # its own limit passed while it waited: missing
    assert {(f.status, f.body["uscc"]) for f in c.values()} == {(200, CODES[2])}
    hops.close()
    srv.close()
