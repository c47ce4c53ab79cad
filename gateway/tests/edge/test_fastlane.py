"""The fast lane answers anonymous lookups of held profiles exactly as the route does, and nothing else."""

from __future__ import annotations

import asyncio
import contextlib
import json
import socket
from collections.abc import AsyncIterator

import httpx
import pytest
import uvicorn

from yishe_gateway import qr
from yishe_kit import tracing


@contextlib.asynccontextmanager
async def on_the_protocol(app) -> AsyncIterator[tuple[tuple[str, int], list[str]]]:
    """The gateway app on a real uvicorn with `yishe_kit.server.HttpToolsProtocol` and no proxy headers, as its
    processes run (scripts/stack.py, deploy): its address, and the paths the lane's ASGI `serve` was called for
    (what the protocol did not answer itself)."""
    from yishe_kit.server import HttpToolsProtocol

    lane = app.front
    served: list[str] = []
    original = lane.serve

    async def counting(scope, receive, send):
        served.append(scope["path"])
        return await original(scope, receive, send)

    lane.serve = counting
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    server = uvicorn.Server(uvicorn.Config(app, http=HttpToolsProtocol, lifespan="off", log_level="warning",
                                           access_log=False, proxy_headers=False))
    task = asyncio.create_task(server.serve(sockets=[sock]))
    try:
        while not server.started:
            await asyncio.sleep(0.01)
        yield sock.getsockname(), served
    finally:
        lane.serve = original
        server.should_exit = True
        await task


async def test_fast_lane_answer_equals_route_answer_when_profile_held(gw, fake, make_uscc) -> None:
    app, client = gw
    uscc = make_uscc()
    fake.add(uscc)
    via_route = await client.get(f"/v1/code/{uscc}", params={"format": "json"})  # loads, then held
    hits = app.state.cache.hits
    via_lane = await client.get(f"/v1/code/{uscc}", headers={"X-Request-ID": "lane-1"})
    assert app.state.cache.hits == hits + 1 and fake.calls["registry"] == 1
    assert via_lane.content == via_route.content
    assert via_lane.headers["content-type"] == "application/json" and via_lane.headers["x-request-id"] == "lane-1"
    sig = qr.sign_code(app.state.settings.signing_key.get_secret_value(), uscc)
    assert (await client.get(f"/v1/code/{uscc}?sig={sig}")).json()["signature_valid"] is True
    assert (await client.get(f"/v1/code/{uscc}?sig=%E4%BC%AA")).json()["signature_valid"] is False


async def test_fast_lane_leaves_credentials_and_other_requests_to_the_route(gw, fake, auth, make_uscc) -> None:
    app, client = gw
    uscc = make_uscc()
    fake.add(uscc)
    await client.get(f"/v1/code/{uscc}")
    staff = auth.bearer(await auth.token(app, "staff"))
    assert (await client.get(f"/v1/code/{uscc}", headers=staff)).json()["view"] == "department"
    assert (await client.get(f"/v1/code/{uscc}?view=public&sig=x")).json()["view"] == "public"
    page = await client.get(f"/v1/code/{uscc}", headers={"Accept": "text/html"})
    assert page.headers["content-type"].startswith("text/html")
    bad = await client.get("/v1/code/51330300MJ8A2T0117")
    assert bad.status_code == 400


async def test_fast_lane_loads_a_profile_not_held_as_the_route_does(start_gateway, fake, make_uscc) -> None:
    """Cache off: every anonymous lookup is a first lookup, assembled by the lane through the same fan-out."""
    app, client = await start_gateway(cache={"max_entries": 0})
    uscc = make_uscc()
    fake.add(uscc)
    via_lane = await client.get(f"/v1/code/{uscc}", headers={"X-Request-ID": "lane-cold"})
    via_route = await client.get(f"/v1/code/{uscc}", params={"format": "json"})
    assert via_lane.status_code == via_route.status_code == 200
    body, routed = via_lane.json(), via_route.json()
    assert body.pop("as_of") and routed.pop("as_of")  # the assembly time differs, nothing else
    assert body == routed and body["view"] == "public" and body["party"] is None
    assert via_lane.headers["x-request-id"] == "lane-cold"
    assert fake.seen_headers[-6]["x-request-id"] == "lane-cold"  # the lane's fan-out carried the request id
    assert app.state.cache.misses == 2 and fake.calls["registry"] == 2


async def test_fast_lane_answers_unknown_and_unavailable_as_the_route_does(start_gateway, fake, make_uscc) -> None:
    _, client = await start_gateway(cache={"max_entries": 0})
    unknown = make_uscc()
    lane, route = await client.get(f"/v1/code/{unknown}"), await client.get(f"/v1/code/{unknown}?format=json")
    assert lane.status_code == route.status_code == 404 and lane.json() == route.json()
    assert lane.headers["content-type"] == route.headers["content-type"] == "application/problem+json"
    fake.failing.add("registry")
    lane, route = await client.get(f"/v1/code/{unknown}"), await client.get(f"/v1/code/{unknown}?format=json")
    assert lane.status_code == route.status_code == 503 and lane.json() == route.json()
    assert (await client.get("/v1/code/51330300MJ8A2T0117")).json()["errors"][0]["rule"].startswith("USCC")


async def test_anonymous_lookups_are_answered_in_front_of_the_whole_stack_and_still_counted_and_logged_by_id(
        gw, fake, make_uscc, capsys) -> None:
    """CACHE-1: the public lane (yishe_kit.front) answers before FastAPI's middleware is entered — a held profile, one
    it loads, an unknown organisation's 404 — and does for each answer what that middleware would have: the request
    id (the client's sane one, else a new one), the route's request count by status, one access-log line (OBS-3) with
    the same fields as every other request's."""
    if tracing.recording("gateway"):  # test_observability's span processor, added earlier in this process
        pytest.skip("traces are recorded in this process: the public lane is off by design (the stack's span)")
    app, client = gw
    uscc, unknown = make_uscc(), make_uscc()
    fake.add(uscc)
    stack, entered = app.middleware_stack or app.build_middleware_stack(), []

    async def counting(scope, receive, send):
        entered.append(scope["path"])
        await stack(scope, receive, send)

    app.middleware_stack = counting
    capsys.readouterr()
    loaded = await client.get(f"/v1/code/{uscc}", headers={"X-Request-ID": "cold-1"})  # not held: loaded, then held
    held = await client.get(f"/v1/code/{uscc}", headers={"X-Request-ID": "held-1"})
    minted = await client.get(f"/v1/code/{uscc}", headers={"X-Request-ID": "bad id\twith spaces"})
    missing = await client.get(f"/v1/code/{unknown}", headers={"X-Request-ID": "unknown-1"})
    await asyncio.sleep(0.01)  # the lines of one loop turn are written at its end
    assert entered == [] and held.content == loaded.content == minted.content
    assert missing.status_code == 404 and missing.headers["content-type"] == "application/problem+json"
    assert (held.headers["x-request-id"], missing.headers["x-request-id"]) == ("held-1", "unknown-1")
    assert minted.headers["x-request-id"] != "bad id\twith spaces" and len(minted.headers["x-request-id"]) == 32
    assert fake.calls["registry"] == 2  # the first lookup and the unknown one; the held ones cost no fan-out
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines() if '"event":"request"' in line]
    assert [(line["request_id"], line["route"], line["status"], line["role"]) for line in lines] == [
        ("cold-1", "/v1/code/{uscc}", 200, "public"), ("held-1", "/v1/code/{uscc}", 200, "public"),
        (minted.headers["x-request-id"], "/v1/code/{uscc}", 200, "public"),
        ("unknown-1", "/v1/code/{uscc}", 404, "public")]
    assert set(lines[0]) == {"method", "route", "status", "duration_ms", "request_id", "role", "event", "service",
                             "level", "timestamp"} and lines[0]["service"] == "gateway" and uscc not in repr(lines)
    app.middleware_stack = stack
    scraped = (await client.get("/metrics")).text
    counts = {status: float(line.rsplit(" ", 1)[1]) for line in scraped.splitlines()
              for status in ("200", "404")
              if line.startswith("yishe_http_request_duration_seconds_count")
              and 'route="/v1/code/{uscc}"' in line and f'status="{status}"' in line}
    assert counts == {"200": 3, "404": 1}


async def test_a_caller_over_the_anonymous_limit_gets_the_stacks_429_for_a_held_profile(start_gateway, fake,
                                                                                         make_uscc) -> None:
    """EDGE-1 holds in front of the stack too: the public lane charges the limit and steps aside once it is used up."""
    _, client = await start_gateway(rate_limit={"anonymous": "2/minute"})
    uscc = make_uscc()
    fake.add(uscc)
    assert (await client.get(f"/v1/code/{uscc}")).status_code == 200
    assert (await client.get(f"/v1/code/{uscc}")).status_code == 200
    over = await client.get(f"/v1/code/{uscc}")
    assert over.status_code == 429 and over.headers["content-type"] == "application/problem+json"


async def test_a_held_lookup_on_a_real_server_is_answered_by_the_protocol_as_the_lane_answers_it(
        gw, fake, make_uscc, capsys) -> None:
    """The gateway's processes run `yishe_kit.server.HttpToolsProtocol` without proxy headers (scripts/stack.py,
    deploy): there a held profile's anonymous lookup is answered by the protocol itself, without an ASGI task — the
    lane's bytes, request id, metrics count and access-log line, and the anonymous limit charged (EDGE-1)."""
    if tracing.recording("gateway"):
        pytest.skip("traces are recorded in this process: the public lane is off by design (the stack's span)")
    app, client = gw
    uscc = make_uscc()
    fake.add(uscc)
    via_lane = await client.get(f"/v1/code/{uscc}", headers={"X-Request-ID": "lane-2"})  # loads: then held
    async with on_the_protocol(app) as (address, served):
        limiter = app.state.limiter
        limiter.settings = limiter.settings.model_copy(update={"anonymous": "3/minute"})
        capsys.readouterr()
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{address[1]}") as real:
            held = await real.get(f"/v1/code/{uscc}", headers={"X-Request-ID": "now-1"})
            minted = await real.get(f"/v1/code/{uscc}")
            assert served == []  # both answered by the protocol
            await real.get(f"/v1/code/{uscc}")
            over = await real.get(f"/v1/code/{uscc}")  # the fourth in a minute: declined at once, the stack's 429
        await asyncio.sleep(0.01)
    assert held.content == minted.content == via_lane.content and held.headers["x-request-id"] == "now-1"
    assert held.headers["content-type"] == "application/json" and len(minted.headers["x-request-id"]) == 32
    assert over.status_code == 429 and served == [f"/v1/code/{uscc}"]
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines() if '"event":"request"' in line]
    assert [(line["request_id"], line["status"]) for line in lines[:2]] == [("now-1", 200),
                                                                            (minted.headers["x-request-id"], 200)]
    scraped = (await client.get("/metrics")).text
    assert any(line.startswith("yishe_http_request_duration_seconds_count") and 'route="/v1/code/{uscc}"' in line
               and 'status="200"' in line and line.endswith(" 4.0") for line in scraped.splitlines())


async def test_a_lookup_not_held_on_a_real_server_is_answered_by_the_protocol_when_its_load_comes_back(
        start_gateway, fake, make_uscc, capsys) -> None:
    """CACHE-1, cache off: every lookup loads. On the gateway's server the protocol answers each when the cache's
    load comes back, without an ASGI task — the route's answer (200, or the 404/503 problem+json), the request id,
    the access-log line, the 400 of a malformed code still the stack's (naming its USCC rule); and lookups
    pipelined on one connection answered in order."""
    if tracing.recording("gateway"):
        pytest.skip("traces are recorded in this process: the public lane is off by design (the stack's span)")
    app, client = await start_gateway(cache={"max_entries": 0})
    uscc, other, unknown = make_uscc(), make_uscc(), make_uscc()
    fake.add(uscc)
    fake.add(other)
    async with on_the_protocol(app) as (address, served):
        capsys.readouterr()
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{address[1]}") as real:
            loaded = await real.get(f"/v1/code/{uscc}", headers={"X-Request-ID": "later-1"})
            missing = await real.get(f"/v1/code/{unknown}", headers={"Accept-Language": "en"})
            assert served == []  # both answered by the protocol
            malformed = await real.get("/v1/code/51330300MJ8A2T0117")
            fake.failing.add("registry")
            down = await real.get(f"/v1/code/{unknown}")
            fake.failing.discard("registry")
        reader, writer = await asyncio.open_connection(*address)  # two lookups pipelined on one connection
        writer.write(f"GET /v1/code/{other} HTTP/1.1\r\nHost: t\r\n\r\nGET /v1/code/{uscc} HTTP/1.1\r\nHost: t\r\n\r\n"
                     .encode())
        pipelined = []
        for _ in range(2):
            head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 5)
            length = int(next(line.split(b":")[1] for line in head.split(b"\r\n")
                              if line.lower().startswith(b"content-length:")))
            pipelined.append(json.loads(await asyncio.wait_for(reader.readexactly(length), 5)))
        writer.close()
        await asyncio.sleep(0.01)
    via_route = await client.get(f"/v1/code/{uscc}", params={"format": "json"})
    body, routed = loaded.json(), via_route.json()
    assert body.pop("as_of") and routed.pop("as_of")  # the assembly time differs, nothing else
    assert loaded.status_code == 200 and body == routed and loaded.headers["x-request-id"] == "later-1"
    assert loaded.headers["content-type"] == "application/json"
    route_missing = await client.get(f"/v1/code/{unknown}?format=json", headers={"Accept-Language": "en"})
    assert missing.status_code == route_missing.status_code == 404 and missing.json() == route_missing.json()
    assert missing.headers["content-type"] == "application/problem+json"
    assert down.status_code == 503 and down.headers["content-type"] == "application/problem+json"
    assert malformed.status_code == 400  # the stack's, naming the rule
    assert [p["uscc"] for p in pipelined] == [other, uscc]  # in the order asked, the second queued behind the first
    assert served == ["/v1/code/51330300MJ8A2T0117", f"/v1/code/{uscc}"]  # (queued: by uvicorn's path, as before)
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines() if '"event":"request"' in line]
    assert [(line["request_id"], line["status"]) for line in lines[:2]] == [
        ("later-1", 200), (missing.headers["x-request-id"], 404)]
