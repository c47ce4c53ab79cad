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
    body = resp.json()
    assert body["status"] == "ok" and body["database"] == "ok"
    assert body["upstreams"] == dict.fromkeys(("registry", "credit", "procurement", "party", "cultivation"),
                                                       "unreachable")


async def test_ready_503_when_client_session_absent(dead_gateway) -> None:
    app, client = dead_gateway
    session, app.state.http = app.state.http, None
    try:
        assert (await client.get("/health/ready")).status_code == 503
    finally:
        app.state.http = session


REAL = {"signing_key": "a-real-secret-of-at-least-32-chars", "jwt": {"secret": "another-real-secret-32-characters"},
        "client_key_secret": "a-third-real-secret-with-32-chars",
        "audit": {"hmac_key": "a-fourth-real-secret-of-32-chars"}}


@pytest.mark.parametrize(("placeholder", "variable"), [
    ("signing_key", "GATEWAY_SIGNING_KEY"), ("jwt", "GATEWAY_JWT__SECRET"),
    ("client_key_secret", "GATEWAY_CLIENT_KEY_SECRET"), ("audit", "GATEWAY_AUDIT__HMAC_KEY")])
def test_settings_refuse_placeholder_secret_when_not_dev(placeholder: str, variable: str) -> None:
    with pytest.raises(ValidationError, match=variable):
        Settings(env="prod", **{k: v for k, v in REAL.items() if k != placeholder})
    assert Settings(env="prod", **REAL).env == "prod"
    assert Settings().signing_key.get_secret_value() == "dev-only-signing-key"


def test_settings_refuse_short_secret_when_not_dev() -> None:
    with pytest.raises(ValidationError, match="at least 32"):
        Settings(env="prod", **REAL | {"jwt": {"secret": "short"}})


def test_settings_store_defaults_to_data_dir_when_no_url(monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:
    monkeypatch.setenv("YISHE_DATA_DIR", str(tmp_path))
    assert Settings().db.url == f"sqlite+aiosqlite:///{tmp_path / 'gateway.db'}"
    monkeypatch.setenv("GATEWAY_DB__URL", "postgresql+asyncpg://gw@db/gateway")
    assert Settings().db.url == "postgresql+asyncpg://gw@db/gateway"


def test_settings_read_nested_env_when_prefixed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GATEWAY_UPSTREAMS__CREDIT", "http://credit:8000")
    monkeypatch.setenv("GATEWAY_UPSTREAM_TIMEOUT_SECONDS", "2.5")
    settings = Settings()
    assert settings.upstreams.credit == "http://credit:8000"
    assert settings.upstreams.registry == "http://127.0.0.1:8101"
    assert settings.upstream_timeout_seconds == 2.5


def test_the_gateways_linger_is_its_default_unless_its_environment_sets_one(monkeypatch: pytest.MonkeyPatch) -> None:
    """Issue 11 item 6: the gateway's consumers linger 0.2 s even when other NATS settings come from the environment
    (the launcher sets `GATEWAY_NATS__URL`); `GATEWAY_NATS__LINGER_SECONDS` overrides it; the kit's default is 0."""
    from yishe_kit.settings import NatsSettings

    monkeypatch.setenv("GATEWAY_NATS__URL", "nats://127.0.0.1:4999")
    assert Settings().nats.linger_seconds == 0.2 and Settings().nats.url == "nats://127.0.0.1:4999"
    assert NatsSettings().linger_seconds == 0.0
    monkeypatch.setenv("GATEWAY_NATS__LINGER_SECONDS", "0")
    assert Settings().nats.linger_seconds == 0.0
