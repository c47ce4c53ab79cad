"""Service identity (issue 12, zero trust inside): the registry acts only for callers the gateway vouched for with a
signed assertion (yishe_kit.assertion); `X-Yishe-*` headers alone are nothing. Body size and JSON depth limits hold
at the service too (yishe_kit.limits)."""

from __future__ import annotations

import base64
import json
import time
from datetime import date

import httpx
import pytest
from registry_factories import STAFF, direct, registered

from yishe_kit.assertion import HEADER, Minter, generate_pem_pair
from yishe_kit.testing import mint_for, running_client
from yishe_registry.config import Settings

ORG = direct("温州市鹿城区青年志愿者协会")


@pytest.fixture
async def raw(app):
    """A client that sends exactly what the test gives: no assertion is minted for it."""
    async for c in running_client(app, mint=False):
        yield c


def refused(resp: httpx.Response, code: str) -> None:
    assert resp.status_code == 401, resp.text
    assert resp.headers["content-type"].startswith("application/problem+json")
    body = resp.json()
    assert body["code"] == code and body["errors"][0]["field"] == HEADER and body["errors"][0]["message_zh"]


async def test_direct_call_with_only_role_headers_is_401_when_no_assertion(raw) -> None:
    """Issue 12: `X-Yishe-Role: staff` from anyone who reaches the port registered an organisation; now refused."""
    refused(await raw.post("/v1/organisations", json=ORG, headers={"X-Yishe-Role": "staff"}), "assertion_missing")
    refused(await raw.get("/v1/organisations", headers={"X-Yishe-Role": "internal"}), "assertion_missing")
    assert (await raw.get("/health/live")).status_code == 200  # probes carry no identity


async def test_read_model_lane_refuses_gateway_headers_without_assertion(client, raw, clock) -> None:
    """The plain-ASGI lane the gateway's fan-out reads is behind the same check."""
    org = await registered(client, clock(date(2026, 11, 20)))
    path = f"/v1/organisations/{org['uscc']}"
    refused(await raw.get(path, headers={"x-yishe-role": "internal", "x-yishe-actor": "gateway"}), "assertion_missing")
    ok = await raw.get(path, headers={HEADER: mint_for("registry", role="internal", actor="gateway")})
    assert ok.status_code == 200 and ok.json()["uscc"] == org["uscc"]


async def test_expired_assertion_is_401(raw) -> None:
    token = mint_for("registry", role="staff", actor="clerk-1", now=time.time() - 3600)
    refused(await raw.get("/v1/organisations", headers={HEADER: token}), "assertion_expired")


async def test_assertion_for_another_service_is_401(raw) -> None:
    token = mint_for("credit", role="staff", actor="clerk-1")
    refused(await raw.get("/v1/organisations", headers={HEADER: token}), "assertion_wrong_audience")


async def test_assertion_signed_with_another_key_is_401(raw) -> None:
    token = Minter(generate_pem_pair()[0]).mint("registry", role="internal", actor="gateway")
    refused(await raw.get("/v1/organisations", headers={HEADER: token}), "assertion_bad_signature")


async def test_tampered_assertion_is_401(raw) -> None:
    """A genuine public assertion with its role rewritten to `internal`: the signature no longer verifies."""
    head, payload, sig = mint_for("registry", role="public", actor="anonymous").split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    claims["role"] = "internal"
    forged = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    refused(await raw.get("/v1/organisations", headers={HEADER: f"{head}.{forged}.{sig}"}), "assertion_bad_signature")
    refused(await raw.get("/v1/organisations", headers={HEADER: "not-a-jwt"}), "assertion_malformed")


async def test_valid_assertion_carries_the_principal(raw) -> None:
    token = mint_for("registry", role="staff", actor="clerk-1", division="330302")
    assert (await raw.post("/v1/organisations", json=ORG, headers={HEADER: token})).status_code == 201


async def test_body_over_limit_is_413_at_the_service(client) -> None:
    """Issue 12: 9 MiB went straight to the registry; the kit limits every service (1 MiB by default)."""
    big = {**ORG, "business_scope": "志" * (1024 * 1024)}
    resp = await client.post("/v1/organisations", json=big, headers=STAFF)
    assert resp.status_code == 413 and resp.json()["code"] == "payload_too_large"


async def test_json_nested_too_deep_is_400_naming_the_body(client) -> None:
    deep = b'{"name": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"
    resp = await client.post("/v1/organisations", content=deep, headers={**STAFF, "content-type": "application/json"})
    assert resp.status_code == 400 and resp.json()["code"] == "json_too_deep"
    assert resp.json()["errors"][0]["field"] == "body"


def test_settings_refuse_to_start_without_a_key_outside_dev(monkeypatch) -> None:
    monkeypatch.delenv("REGISTRY_ASSERTION__PUBLIC_KEY", raising=False)
    with pytest.raises(ValueError, match="REGISTRY_ASSERTION__PUBLIC_KEY"):
        Settings(env="production")
    assert Settings(env="production", assertion={"public_key": generate_pem_pair()[1]}).env == "production"
