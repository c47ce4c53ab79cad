"""AUTH-1: system clients sign requests (AppKey + HMAC-SHA256 over method, path, query, body hash, timestamp,
nonce); unsigned, expired, replayed or wrongly signed requests are refused with their reason (401)."""

from __future__ import annotations

import time

import pytest

from yishe_gateway.identity.signing import canonical_query, signed_headers, string_to_sign
from yishe_kit.testing import asserted


async def test_signed_request_authenticates_as_client_when_signature_right(gw, auth) -> None:
    app, client = gw
    key = await auth.client(app, role="supervisor", division="3303")
    resp = await client.get("/v1/auth/me", headers=auth.signed(key, "GET", "/v1/auth/me"))
    assert resp.status_code == 200, resp.text
    assert resp.json() | {"actor": None} == {"kind": "client", "role": "supervisor", "actor": None,
                                             "name": key.client.name, "division": "3303", "client": key.app_key,
                                             "org_uscc": None}


@pytest.mark.parametrize("missing", ["X-App-Key", "X-Timestamp", "X-Nonce", "X-Signature"])
async def test_signed_request_401_naming_header_when_one_missing(gw, auth, missing: str) -> None:
    app, client = gw
    key = await auth.client(app)
    headers = {k: v for k, v in auth.signed(key, "GET", "/v1/auth/me").items() if k != missing}
    resp = await client.get("/v1/auth/me", headers=headers)
    assert resp.status_code == 401
    assert resp.json()["code"] == "signature_headers_missing" and resp.json()["errors"][0]["field"] == missing


async def test_signed_request_401_when_timestamp_outside_window(gw, auth) -> None:
    app, client = gw
    key = await auth.client(app)
    old = int(time.time()) - app.state.settings.hmac.window_seconds - 5
    resp = await client.get("/v1/auth/me", headers=auth.signed(key, "GET", "/v1/auth/me", timestamp=old))
    assert resp.status_code == 401 and resp.json()["code"] == "timestamp_expired"


async def test_signed_request_401_when_nonce_replayed(gw, auth) -> None:
    app, client = gw
    key = await auth.client(app)
    headers = auth.signed(key, "GET", "/v1/auth/me")
    assert (await client.get("/v1/auth/me", headers=headers)).status_code == 200
    again = await client.get("/v1/auth/me", headers=headers)
    assert again.status_code == 401 and again.json()["code"] == "nonce_replayed"


@pytest.mark.parametrize("tamper", ["secret", "path", "query", "body", "method"])
async def test_signed_request_401_bad_signature_when_anything_signed_differs(echo_gateway, auth, tamper) -> None:
    app, client = echo_gateway
    key = await auth.client(app)
    body, path, query = '{"name":"温州市某协会"}'.encode(), "/api/registry/v1/organisations", "a=1&b=2"
    signed_as = {"path": "/api/registry/v1/other", "query": "a=1&b=3", "body": body + b" ", "method": "PUT"}
    secret = "not-the-secret" if tamper == "secret" else key.secret
    headers = signed_headers(key.app_key, secret, signed_as.get("method", "POST") if tamper == "method" else "POST",
                             signed_as["path"] if tamper == "path" else path,
                             signed_as["query"] if tamper == "query" else query,
                             signed_as["body"] if tamper == "body" else body)
    resp = await client.post(f"{path}?{query}", content=body, headers=headers)
    assert resp.status_code == 401, resp.text
    assert resp.json()["code"] == "bad_signature"


async def test_signed_post_forwarded_with_client_role_when_body_signed(echo_gateway, auth) -> None:
    app, client = echo_gateway
    key = await auth.client(app, role="purchaser", division="3303")
    body = '{"title":"社区养老服务项目"}'.encode()
    path = "/api/procurement/v1/projects"
    resp = await client.post(f"{path}?b=2&a=%E6%B8%A9", content=body,
                             headers={"Content-Type": "application/json",
                                      **auth.signed(key, "POST", path, "a=%E6%B8%A9&b=2", body)})
    assert resp.status_code == 200, resp.text
    echoed = dict((k, v) for k, v in resp.json()["headers"])
    claims = asserted(echoed, audience="procurement")
    assert claims["role"] == "purchaser" and claims["jurisdiction"] == "3303"
    assert claims["actor"] == f"client:{key.client.client_id}"
    assert "x-signature" not in echoed and "x-app-key" not in echoed


async def test_unknown_revoked_and_rotated_keys_refused_with_reason(gw, auth) -> None:
    app, client = gw
    admin = auth.bearer(await auth.token(app, "internal"))
    key = await auth.client(app)

    async def me(app_key: str, secret: str) -> tuple[int, str | None]:
        resp = await client.get("/v1/auth/me", headers=signed_headers(app_key, secret, "GET", "/v1/auth/me"))
        return resp.status_code, resp.json().get("code")

    assert await me("ak_does_not_exist", key.secret) == (401, "unknown_app_key")
    rotated = await client.post(f"/v1/admin/clients/{key.client.client_id}/keys", headers=admin,
                                json={"retire_previous_after_seconds": 0})
    assert rotated.status_code == 201, rotated.text
    new = rotated.json()
    assert new["app_key"] != key.app_key and new["secret"] != key.secret
    assert await me(key.app_key, key.secret) == (401, "key_expired")
    assert await me(new["app_key"], new["secret"]) == (200, None)
    revoked = await client.delete(f"/v1/admin/clients/{key.client.client_id}/keys/{new['app_key']}", headers=admin)
    assert revoked.status_code == 204
    assert await me(new["app_key"], new["secret"]) == (401, "key_revoked")


async def test_rotation_keeps_old_key_valid_when_no_grace_given(gw, auth) -> None:
    app, client = gw
    admin = auth.bearer(await auth.token(app, "internal"))
    key = await auth.client(app)
    new = (await client.post(f"/v1/admin/clients/{key.client.client_id}/keys", headers=admin, json={})).json()
    for app_key, secret in ((key.app_key, key.secret), (new["app_key"], new["secret"])):
        resp = await client.get("/v1/auth/me", headers=signed_headers(app_key, secret, "GET", "/v1/auth/me"))
        assert resp.status_code == 200


async def test_401_when_both_bearer_and_signature_sent(gw, auth) -> None:
    app, client = gw
    key = await auth.client(app)
    headers = {**auth.signed(key, "GET", "/v1/auth/me"), **auth.bearer(await auth.token(app, "staff"))}
    resp = await client.get("/v1/auth/me", headers=headers)
    assert resp.status_code == 401 and resp.json()["code"] == "ambiguous_credentials"


def test_string_to_sign_canonicalises_query_order_and_encoding() -> None:
    assert canonical_query("b=2&a=%E6%B8%A9&a=1&c") == "a=1&a=%E6%B8%A9&b=2&c="
    text = string_to_sign("get", "/v1/feed", "limit=10", b"", "1700000000", "n" * 16)
    assert text.split("\n") == ["GET", "/v1/feed", "limit=10",
                                "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", "1700000000",
                                "n" * 16]


@pytest.mark.parametrize("timestamp", ["\u00b3", "abc", "-5"])
async def test_signed_request_401_naming_timestamp_when_not_unix_seconds(gw, auth, timestamp: str) -> None:
    """AUTH-1 / issue 12 (no 5xx): a Latin-1 header "³" passes str.isdigit() but not int(): it was a 500."""
    app, client = gw
    key = await auth.client(app)
    headers = auth.signed(key, "GET", "/v1/auth/me") | {"X-Timestamp": timestamp.encode("latin-1")}
    resp = await client.get("/v1/auth/me", headers=headers)
    assert resp.status_code == 401, resp.text
    assert resp.json()["code"] == "timestamp_invalid" and resp.json()["errors"][0]["field"] == "X-Timestamp"
