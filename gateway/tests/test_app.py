"""Settings, request ids and health of the gateway itself."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from yishe_gateway.config import Settings


async def test_request_id_echoed_when_client_sends_one(dead_gateway) -> None:
    _, client = dead_gateway
    resp = await client.get("/health/live", headers={"X-Request-ID": "abc-123"})
    assert resp.headers["x-request-id"] == "abc-123"


async def test_request_id_minted_when_absent_or_unsafe(dead_gateway) -> None:
    _, client = dead_gateway
    minted = (await client.get("/health/live")).headers["x-request-id"]
    assert len(minted) == 32
    unsafe = (await client.get("/health/live", headers={"X-Request-ID": "a\tb" + "x" * 200})).headers
    assert unsafe["x-request-id"] != minted and len(unsafe["x-request-id"]) == 32


async def test_request_id_on_problem_responses_when_refused(dead_gateway) -> None:
    _, client = dead_gateway
    resp = await client.get("/v1/code/5133030", headers={"X-Request-ID": "r-400"})
    assert resp.status_code == 400 and resp.headers["x-request-id"] == "r-400"


async def test_ready_200_with_unreachable_upstreams_when_services_down(dead_gateway) -> None:
    _, client = dead_gateway
    resp = await client.get("/health/ready")
    assert resp.status_code == 200
    assert resp.json() == {"status": "ok", "upstreams": dict.fromkeys(
        ("registry", "credit", "procurement", "party"), "unreachable")}


async def test_ready_503_when_client_session_absent(dead_gateway) -> None:
    app, client = dead_gateway
    session, app.state.http = app.state.http, None
    try:
        assert (await client.get("/health/ready")).status_code == 503
    finally:
        app.state.http = session


def test_settings_refuse_placeholder_key_when_not_dev() -> None:
    with pytest.raises(ValidationError, match="GATEWAY_SIGNING_KEY"):
        Settings(env="prod")
    assert Settings(env="prod", signing_key="a-real-secret").env == "prod"
    assert Settings().signing_key.get_secret_value() == "dev-only-signing-key"


def test_settings_read_nested_env_when_prefixed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GATEWAY_UPSTREAMS__CREDIT", "http://credit:8000")
    monkeypatch.setenv("GATEWAY_UPSTREAM_TIMEOUT_SECONDS", "2.5")
    settings = Settings()
    assert settings.upstreams.credit == "http://credit:8000"
    assert settings.upstreams.registry == "http://127.0.0.1:8101"
    assert settings.upstream_timeout_seconds == 2.5
