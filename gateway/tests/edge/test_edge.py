"""Edge behaviour (EDGE-1..4): per-client rate limits with Retry-After, CORS for mobile apps, payload size limits,
request ids into logs and upstream calls, one merged OpenAPI."""

from __future__ import annotations

from yishe_kit.testing import asserted


async def test_anonymous_429_with_retry_after_when_over_limit(start_gateway, fake, make_uscc) -> None:
    _, client = await start_gateway(rate_limit={"anonymous": "3/minute"})
    uscc = make_uscc()
    fake.add(uscc)
    codes = [(await client.get(f"/v1/code/{uscc}")).status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    resp = await client.get(f"/v1/code/{uscc}")
    assert resp.headers["content-type"].startswith("application/problem+json")
    assert 1 <= int(resp.headers["retry-after"]) <= 60 and resp.json()["errors"][0]["rule"] == "EDGE-1"


async def test_each_client_counted_alone_and_own_limit_applies(start_gateway, auth) -> None:
    app, client = await start_gateway(rate_limit={"client": "2/minute", "anonymous": "1000/minute"})
    small, big = await auth.client(app), await auth.client(app, rate_limit="5/minute")

    async def me(key) -> int:
        return (await client.get("/v1/auth/me", headers=auth.signed(key, "GET", "/v1/auth/me"))).status_code

    assert [await me(small) for _ in range(3)] == [200, 200, 429]
    assert [await me(big) for _ in range(5)] == [200] * 5
    assert (await client.get("/v1/auth/me")).status_code == 200  # others unaffected


async def test_cors_preflight_allows_mobile_app_origin(gw) -> None:
    _, client = gw
    resp = await client.options("/v1/code/51330300MJ8A2T0116", headers={
        "Origin": "https://app.example.cn", "Access-Control-Request-Method": "GET",
        "Access-Control-Request-Headers": "authorization,x-purpose"})
    assert resp.status_code == 200
    assert resp.headers["access-control-allow-origin"] == "*"
    assert "authorization" in resp.headers["access-control-allow-headers"].lower()
    simple = await client.get("/health/live", headers={"Origin": "https://app.example.cn"})
    assert "x-request-id" in simple.headers["access-control-expose-headers"].lower()


async def test_cors_only_listed_origins_when_configured(start_gateway) -> None:
    _, client = await start_gateway(cors_origins=["https://app.wenzhou.gov.cn"])
    ok = await client.get("/health/live", headers={"Origin": "https://app.wenzhou.gov.cn"})
    other = await client.get("/health/live", headers={"Origin": "https://evil.example"})
    assert ok.headers["access-control-allow-origin"] == "https://app.wenzhou.gov.cn"
    assert "access-control-allow-origin" not in other.headers


async def test_413_when_declared_body_too_large(start_gateway, auth) -> None:
    app, client = await start_gateway(max_body_bytes=1000)
    staff = auth.bearer(await auth.token(app, "staff"))
    resp = await client.post("/api/registry/v1/organisations", content=b"x" * 1001, headers=staff)
    assert resp.status_code == 413 and resp.json()["errors"][0]["rule"] == "EDGE-2"


async def test_413_when_streamed_body_grows_too_large(start_gateway, auth) -> None:
    app, client = await start_gateway(max_body_bytes=1000)
    staff = auth.bearer(await auth.token(app, "staff"))

    async def chunks():
        for _ in range(5):
            yield b"y" * 300

    resp = await client.post("/api/registry/v1/organisations", content=chunks(), headers=staff)
    assert resp.status_code == 413


async def test_anonymous_write_401_unless_service_accepts_it_anonymously(echo_gateway) -> None:
    _, client = echo_gateway
    refused = await client.post("/api/registry/v1/organisations", json={"name": "x"})
    assert refused.status_code == 401 and refused.json()["code"] == "authentication_required"
    for method in ("put", "patch", "delete"):
        assert (await getattr(client, method)("/api/credit/v1/profiles/x")).status_code == 401
    complaint = await client.post("/api/credit/v1/complaints", json={"text": "该组织未按时公示年报"})
    assert complaint.status_code == 200
    echoed = dict(complaint.json()["headers"])
    claims = asserted(echoed, audience="credit")
    assert claims["role"] == "public" and claims["actor"] == "anonymous"


async def test_request_id_reaches_upstream_and_response(echo_gateway) -> None:
    _, client = echo_gateway
    resp = await client.get("/api/registry/v1/organisations", headers={"X-Request-ID": "mobile-7f3a"})
    echoed = dict(resp.json()["headers"])
    assert echoed["x-request-id"] == "mobile-7f3a" and echoed["x-correlation-id"] == "mobile-7f3a"
    assert resp.headers["x-request-id"] == "mobile-7f3a"


async def test_merged_openapi_has_gateway_and_service_paths(gw, fake) -> None:
    _, client = gw
    doc = (await client.get("/openapi.json")).json()
    assert "/v1/code/{uscc}" in doc["paths"] and "/v1/feed" in doc["paths"]
    assert "/api/registry/v1/organisations/{uscc}" in doc["paths"]
    assert "/api/credit/v1/profiles/{uscc}" in doc["paths"]
    assert doc["x-missing-sources"] == []
    assert (await client.get("/docs")).status_code == 200


async def test_merged_openapi_names_missing_service_when_down(dead_gateway) -> None:
    _, client = dead_gateway
    doc = (await client.get("/openapi.json")).json()
    assert doc["x-missing-sources"] == ["registry", "credit", "procurement", "party", "cultivation"]
    assert "/v1/code/{uscc}" in doc["paths"]


async def test_own_openapi_documents_the_lookup_parameters(gw) -> None:
    _, client = gw
    doc = (await client.get("/openapi/gateway.json")).json()
    params = {p["name"]: p["in"] for p in doc["paths"]["/v1/code/{uscc}"]["get"]["parameters"]}
    assert params == {"uscc": "path", "sig": "query", "view": "query", "as_of": "query", "known_on": "query",
                      "format": "query"}


async def test_forged_forwarded_for_ignored_unless_from_a_trusted_proxy(start_gateway, fake, make_uscc) -> None:
    """Issue 12: 150 req/s spread over 64 forged X-Forwarded-For addresses drew no 429. A client's own header is not
    believed; a configured proxy's is (its right-most untrusted hop)."""
    uscc = make_uscc()
    fake.add(uscc)
    _, direct = await start_gateway(rate_limit={"anonymous": "3/minute"})
    codes = [(await direct.get(f"/v1/code/{uscc}", headers={"X-Forwarded-For": f"10.0.0.{i}"})).status_code
             for i in range(4)]
    assert codes == [200, 200, 200, 429]
    _, proxied = await start_gateway(rate_limit={"anonymous": "3/minute"}, trusted_proxies=["127.0.0.1/32"])
    spread = [(await proxied.get(f"/v1/code/{uscc}", headers={"X-Forwarded-For": f"1.2.3.4, 10.0.1.{i}"})).status_code
              for i in range(4)]
    assert spread == [200, 200, 200, 200]  # four clients behind the load balancer
    same = [(await proxied.get(f"/v1/code/{uscc}", headers={"X-Forwarded-For": "10.0.2.9"})).status_code
            for _ in range(4)]
    assert same == [200, 200, 200, 429]
