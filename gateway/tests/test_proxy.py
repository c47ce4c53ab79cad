"""`/api/{service}/...`: allow-listed forwarding; the trusted `X-Yishe-*` headers only ever come from the gateway."""

from __future__ import annotations

import pytest

from yishe_gateway.config import Upstreams
from yishe_gateway.proxy import upstream_url
from yishe_kit.testing import asserted

from .conftest import SERVICES, gateway_client


def _headers(echoed: dict) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for name, value in echoed["headers"]:
        out.setdefault(name, []).append(value)
    return out


async def test_proxy_replaces_trusted_headers_when_client_sends_them(echo_gateway) -> None:
    _, client = echo_gateway
    resp = await client.get("/api/credit/v1/profiles/x", headers={
        "X-Yishe-Role": "internal", "x-yishe-actor": "root", "X-YISHE-DIVISION": "33", "X-Yishe-Anything": "1",
        "Connection": "keep-alive, X-Hop-Named", "X-Hop-Named": "1", "Keep-Alive": "timeout=5",
        "Proxy-Authorization": "Basic abc", "TE": "trailers", "Upgrade": "h2c", "X-Request-ID": "req-42",
        "Accept-Language": "zh-CN",
    })
    assert resp.status_code == 200
    got = _headers(resp.json())
    assert [k for k in got if k.startswith("x-yishe-")] == ["x-yishe-assertion"]  # the client's are dropped
    claims = asserted(resp.json()["headers"], audience="credit")
    assert (claims["role"], claims["actor"], claims["jurisdiction"]) == ("public", "anonymous", "")
    assert claims["request_id"] == "req-42" and claims["iss"] == "gateway"
    for hop in ("x-hop-named", "keep-alive", "proxy-authorization", "te", "upgrade"):
        assert hop not in got
    assert got["x-request-id"] == ["req-42"] and got["x-correlation-id"] == ["req-42"]
    assert got["accept-language"] == ["zh-CN"]
    assert resp.headers["x-request-id"] == "req-42"


async def test_proxy_forwards_method_path_query_and_body_when_posting(echo_gateway, auth) -> None:
    app, client = echo_gateway
    body = '{"name": "温州市鹿城区青年志愿者协会"}'.encode()
    resp = await client.post("/api/registry/v1/organisations/a%3Fb?q=%E6%B8%A9%E5%B7%9E&x=1&x=2", content=body,
                             headers={"Content-Type": "application/json; charset=utf-8",
                                      **auth.bearer(await auth.token(app, "staff", division="3303"))})
    echoed = resp.json()
    assert echoed["method"] == "POST"
    assert echoed["raw_path"] == "/v1/organisations/a%3Fb"
    assert echoed["query"] == "q=%E6%B8%A9%E5%B7%9E&x=1&x=2"
    assert echoed["body"] == body.decode()
    got = _headers(echoed)
    assert got["content-type"] == ["application/json; charset=utf-8"]
    assert got["content-length"] == [str(len(body))] and "transfer-encoding" not in got
    claims = asserted(echoed["headers"], audience="registry")
    assert claims["role"] == "staff" and claims["jurisdiction"] == "3303" and claims["actor"].startswith("user:")
    assert claims["exp"] - claims["iat"] == 60 and claims["jti"]
    assert "authorization" not in got  # credentials stop at the gateway


async def test_proxy_adds_no_content_type_when_client_sent_none(echo_gateway, auth) -> None:
    app, client = echo_gateway
    staff = auth.bearer(await auth.token(app, "staff"))
    echoed = (await client.patch("/api/credit/x", content=b"raw", headers=staff)).json()
    assert echoed["body"] == "raw" and "content-type" not in _headers(echoed)


async def test_proxy_streams_body_when_client_sends_chunks(echo_gateway, auth) -> None:
    app, client = echo_gateway
    staff = auth.bearer(await auth.token(app, "staff"))

    async def chunks():
        for part in ("第一段,", "第二段"):
            yield part.encode()

    resp = await client.put("/api/party/v1/x", content=chunks(), headers={"Content-Type": "text/plain", **staff})
    assert resp.status_code == 200, resp.text
    assert resp.json()["body"] == "第一段,第二段"


async def test_proxy_returns_upstream_status_body_and_type_when_not_ok(echo_gateway) -> None:
    _, client = echo_gateway
    resp = await client.get("/api/procurement/status/418")
    assert resp.status_code == 418
    assert resp.headers["content-type"] == "text/plain; charset=utf-8"
    assert resp.text == "状态"


async def test_proxy_504_naming_service_when_upstream_too_slow(echo_gateway) -> None:
    _, client = echo_gateway
    resp = await client.get("/api/party/slow")
    assert resp.status_code == 504
    assert resp.headers["content-type"].startswith("application/problem+json")
    assert resp.json()["detail_en"].startswith("party:")


async def test_proxied_call_waits_for_its_own_limit_not_the_profile_fan_outs(echo_upstream, make_settings) -> None:
    """A forwarded API call (a write that takes 3 s on a busy machine) is held to `proxy_timeout_seconds`, not to
    the 1 s the profile fan-out allows each service: the service's answer reaches the caller, no 504."""
    upstreams = Upstreams(**dict.fromkeys(SERVICES, echo_upstream.url))
    settings = make_settings(upstreams=upstreams, upstream_timeout_seconds=1.0, proxy_timeout_seconds=10.0)
    async with gateway_client(settings) as (_, client):
        resp = await client.get("/api/party/slow")
    assert resp.status_code == 200, resp.text


async def test_proxy_502_naming_service_when_upstream_unreachable(dead_gateway, auth) -> None:
    app, client = dead_gateway
    staff = auth.bearer(await auth.token(app, "staff"))
    resp = await client.delete("/api/credit/v1/profiles/51330300MJ8A2T0116", headers=staff)
    assert resp.status_code == 502
    assert resp.headers["content-type"].startswith("application/problem+json")
    assert resp.json()["detail_en"].startswith("credit:")


@pytest.mark.parametrize("path", ["/api/admin/x", "/api/gateway/health/live", "/api/Registry/v1/organisations",
                                  "/api/__class__/x", "/api/model_fields/x"])
async def test_proxy_404_when_service_not_allow_listed(dead_gateway, path: str) -> None:
    _, client = dead_gateway
    resp = await client.get(path)
    assert resp.status_code == 404
    assert resp.headers["content-type"].startswith("application/problem+json")
    assert resp.json()["code"] == "unknown_service"


def test_upstream_url_keeps_host_when_path_looks_like_another_host() -> None:
    url = upstream_url("http://127.0.0.1:8101", "/evil.example/x", "")
    assert (url.host, url.port, url.path) == ("127.0.0.1", 8101, "//evil.example/x")
    assert str(upstream_url("http://svc:1/base/", "v1/a", "b=1")) == "http://svc:1/base/v1/a?b=1"


@pytest.mark.nats
async def test_client_role_header_reveals_nothing_when_sent_through_proxy(stack, register) -> None:
    forged = {"X-Yishe-Role": "internal", "X-Yishe-Actor": "admin"}
    uscc = await register(stack, "330328", headers=forged)
    for headers in (forged, {"x-yishe-role": "staff"}, {"X-YISHE-ROLE": "internal"}):
        org = (await stack.gateway.get(f"/api/registry/v1/organisations/{uscc}", headers=headers)).json()
        assert org["legal_representative"] == {"name": "张三", "id_number": None, "phone": None}
        assert org["party_full_members"] is None
    history = await stack.gateway.get(f"/api/registry/v1/organisations/{uscc}/history", headers=forged)
    assert history.status_code == 403
    profile = (await stack.gateway.get(f"/v1/code/{uscc}", headers=forged)).json()
    assert profile["organisation"]["legal_representative"]["id_number"] is None
    assert "11010519491231002X" not in str(profile) and "13800138000" not in str(profile)


@pytest.mark.nats
async def test_request_id_becomes_correlation_id_of_the_events_when_registering(stack, register) -> None:
    from yishe_kit.testing import eventually

    uscc = await register(stack, "330331", headers={"X-Request-ID": "reg-7f3a9c"})

    async def registered_in_feed() -> list | None:
        items = (await stack.gateway.get("/v1/feed", params={"uscc": uscc}, headers=stack.staff)).json()["items"]
        return [i for i in items if i["type"] == "registry.organisation.registered.v1"] or None

    [item] = await eventually(registered_in_feed)
    assert item["correlationid"] == "reg-7f3a9c"
