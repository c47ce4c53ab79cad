"""AUTH-3/4: accounts and system clients are managed by platform operators only; dev credentials for `make run`."""

from __future__ import annotations

import json

import pytest

from yishe_gateway import admin as admin_cli
from yishe_gateway.config import get_settings
from yishe_gateway.identity import admin
from yishe_gateway.identity.signing import signed_headers
from yishe_kit.errors import ServiceError


async def test_admin_routes_401_anonymous_and_403_for_other_roles(gw, auth) -> None:
    app, client = gw
    body = {"name": "温州市财政局", "role": "purchaser"}
    assert (await client.post("/v1/admin/clients", json=body)).status_code == 401
    for role in ("staff", "supervisor", "party", "purchaser"):
        resp = await client.post("/v1/admin/clients", json=body, headers=auth.bearer(await auth.token(app, role)))
        assert resp.status_code == 403 and resp.json()["errors"][0]["rule"] == "AUTH-4"
    internal_client = await auth.client(app, role="internal")
    signed = auth.signed(internal_client, "GET", "/v1/admin/clients")
    assert (await client.get("/v1/admin/clients", headers=signed)).status_code == 403  # people administer, not systems


async def test_internal_creates_client_whose_secret_signs_and_is_never_listed(gw, auth) -> None:
    app, client = gw
    operator = auth.bearer(await auth.token(app, "internal"))
    resp = await client.post("/v1/admin/clients", headers=operator,
                             json={"name": "浙江省一体化平台", "role": "staff", "division": "33",
                                   "rate_limit": "200/second"})
    assert resp.status_code == 201, resp.text
    issued = resp.json()
    me = await client.get("/v1/auth/me", headers=signed_headers(issued["app_key"], issued["secret"], "GET",
                                                                "/v1/auth/me"))
    assert me.json()["kind"] == "client" and me.json()["division"] == "33"
    listed = await client.get("/v1/admin/clients", headers=operator)
    assert issued["secret"] not in listed.text
    [mine] = [c for c in listed.json() if c["name"] == "浙江省一体化平台"]
    assert mine["rate_limit"] == "200/second" and [k["app_key"] for k in mine["keys"]] == [issued["app_key"]]


@pytest.mark.parametrize(("body", "rule"), [
    ({"username": "org-user", "password": "long-enough-1", "role": "org"}, "USCC-1"),
    ({"username": "bad-role", "password": "long-enough-1", "role": "root"}, "AUTH-4"),
    ({"username": "bad-div", "password": "long-enough-1", "role": "staff", "division": "33a"}, "AUTH-4"),
    ({"username": "bad-div-7", "password": "long-enough-1", "role": "staff", "division": "3303020"}, "AUTH-4"),
])
async def test_create_user_400_naming_rule_when_scope_invalid(gw, auth, body: dict, rule: str) -> None:
    app, client = gw
    resp = await client.post("/v1/admin/users", json=body, headers=auth.bearer(await auth.token(app, "internal")))
    assert resp.status_code == 400, resp.text
    assert rule in [e["rule"] for e in resp.json()["errors"]]


async def test_township_user_created_with_9_digit_division_and_asserted_to_services(gw, auth) -> None:
    """A township (乡镇/街道) user is staff scoped to its 9-digit township code (registry filings, AUTH-2)."""
    app, client = gw
    body = {"username": "wuma-clerk", "password": "long-enough-1", "role": "staff", "division": "330302001"}
    resp = await client.post("/v1/admin/users", json=body, headers=auth.bearer(await auth.token(app, "internal")))
    assert resp.status_code == 201, resp.text
    token = await client.post("/v1/auth/token", json={"username": "wuma-clerk", "password": "long-enough-1"})
    assert token.status_code == 200 and token.json()["division"] == "330302001"
    me = await client.get("/v1/auth/me", headers={"Authorization": f"Bearer {token.json()['access_token']}"})
    assert me.json()["division"] == "330302001" and me.json()["actor"] == "user:wuma-clerk"


async def test_dev_credentials_idempotent_and_refused_outside_dev(gw) -> None:
    app, _ = gw
    async with app.state.sessionmaker() as session, session.begin():
        first = await admin.dev_credentials(session, app.state.settings)
    async with app.state.sessionmaker() as session, session.begin():
        second = await admin.dev_credentials(session, app.state.settings)
    assert first["client"] == second["client"] and first["staff"]["username"] == "dev-staff"
    prod = app.state.settings.model_copy(update={"env": "prod"})
    async with app.state.sessionmaker() as session:
        with pytest.raises(ServiceError, match="dev_only"):
            await admin.dev_credentials(session, prod)


def test_admin_cli_writes_token_and_credentials_when_dev(gateway_db, tmp_path, monkeypatch, capsys) -> None:
    monkeypatch.setenv("GATEWAY_DB__URL", gateway_db)
    get_settings.cache_clear()
    try:
        assert admin_cli.main(["dev-credentials", "--write-dir", str(tmp_path)]) == 0
    finally:
        get_settings.cache_clear()
    printed = json.loads(capsys.readouterr().out)
    assert (tmp_path / "dev-token").read_text().strip() == printed["staff"]["token"]
    assert json.loads((tmp_path / "dev-credentials.json").read_text())["client"]["app_key"] == "ak_dev_department"
    assert (tmp_path / "dev-token").stat().st_mode & 0o077 == 0
