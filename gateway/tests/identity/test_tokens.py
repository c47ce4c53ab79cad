"""AUTH-1/2: signing in for a JWT; a bearer token refused with its reason when expired, forged, revoked."""

from __future__ import annotations

import time

import jwt
import pytest


async def _sign_in(client, username: str, password: str):
    return await client.post("/v1/auth/token", json={"username": username, "password": password})


async def test_sign_in_returns_bearer_with_role_and_division_when_password_right(gw, auth) -> None:
    app, client = gw
    await auth.token(app, "supervisor", division="3303", username="jiandu-01")
    resp = await _sign_in(client, "jiandu-01", auth.PASSWORD)
    assert resp.status_code == 200, resp.text
    body = resp.json()
    assert body["token_type"] == "bearer" and body["role"] == "supervisor" and body["division"] == "3303"
    me = await client.get("/v1/auth/me", headers=auth.bearer(body["access_token"]))
    assert me.json() == {"kind": "user", "role": "supervisor", "actor": "user:jiandu-01", "name": "jiandu-01",
                         "division": "3303", "client": None, "org_uscc": None}


@pytest.mark.parametrize(("username", "password"), [("nobody", "whatever-123"), ("known-user", "wrong-password")])
async def test_sign_in_401_when_user_unknown_or_password_wrong(gw, auth, username: str, password: str) -> None:
    app, client = gw
    await auth.token(app, "staff", username="known-user")
    resp = await _sign_in(client, username, password)
    assert resp.status_code == 401 and resp.json()["code"] == "bad_credentials"
    assert resp.headers["content-type"].startswith("application/problem+json")


async def test_me_anonymous_when_no_credentials(gw) -> None:
    _, client = gw
    assert (await client.get("/v1/auth/me")).json()["kind"] == "anonymous"


def _forge(app, **changes) -> str:
    settings = app.state.settings.jwt
    now = int(time.time())
    claims = {"iss": settings.issuer, "aud": settings.audience, "sub": "x", "name": "x", "role": "internal",
              "div": "", "tv": 1, "iat": now, "exp": now + 60} | changes
    return jwt.encode(claims, settings.secret.get_secret_value(), algorithm="HS256")


@pytest.mark.parametrize(("case", "reason"), [
    ("expired", "token_expired"), ("other_key", "token_bad_signature"), ("garbage", "token_invalid"),
    ("wrong_audience", "token_invalid"), ("none_alg", "token_invalid"), ("unknown_user", "account_disabled"),
])
async def test_bearer_401_naming_reason_when_token_not_acceptable(gw, case: str, reason: str) -> None:
    app, client = gw
    settings = app.state.settings.jwt
    now = int(time.time())
    tokens = {
        "expired": _forge(app, iat=now - 7200, exp=now - 3600),
        "other_key": jwt.encode({"iss": settings.issuer, "aud": settings.audience, "sub": "x", "role": "internal",
                                 "iat": now, "exp": now + 60}, "not-the-gateways-secret-" * 2, algorithm="HS256"),
        "garbage": "not.a.jwt",
        "wrong_audience": _forge(app, aud="someone-else"),
        "none_alg": jwt.encode({"iss": settings.issuer, "aud": settings.audience, "sub": "x", "role": "internal",
                                "iat": now, "exp": now + 60}, None, algorithm="none"),
        "unknown_user": _forge(app, sub="00000000-0000-0000-0000-000000000000"),
    }
    resp = await client.get("/v1/auth/me", headers={"Authorization": f"Bearer {tokens[case]}"})
    assert resp.status_code == 401, resp.text
    assert resp.json()["code"] == reason and resp.json()["errors"][0]["message_zh"]
    assert "Bearer" in resp.headers["www-authenticate"]


async def test_bearer_401_when_scheme_not_bearer(gw) -> None:
    _, client = gw
    resp = await client.get("/v1/auth/me", headers={"Authorization": "Basic YWRtaW46YWRtaW4="})
    assert resp.status_code == 401 and resp.json()["code"] == "unsupported_authorization"


async def test_token_refused_when_account_disabled_or_tokens_revoked(gw, auth) -> None:
    app, client = gw
    admin = auth.bearer(await auth.token(app, "internal"))
    token = await auth.token(app, "staff", username="leaving-staff")
    assert (await client.get("/v1/auth/me", headers=auth.bearer(token))).status_code == 200
    resp = await client.patch("/v1/admin/users/leaving-staff", json={"revoke_tokens": True}, headers=admin)
    assert resp.status_code == 200, resp.text
    assert (await client.get("/v1/auth/me", headers=auth.bearer(token))).json()["code"] == "token_revoked"
    await client.patch("/v1/admin/users/leaving-staff", json={"active": False}, headers=admin)
    assert (await _sign_in(client, "leaving-staff", auth.PASSWORD)).json()["code"] == "account_disabled"


async def test_sign_in_429_with_retry_after_when_attempts_exceed_limit(start_gateway) -> None:
    _, client = await start_gateway(rate_limit={"sign_in": "3/minute"})
    codes = [(await _sign_in(client, "brute", f"guess-{i}")).status_code for i in range(4)]
    assert codes == [401, 401, 401, 429]
    resp = await _sign_in(client, "brute", "guess-5")
    assert 1 <= int(resp.headers["retry-after"]) <= 60 and resp.json()["code"] == "rate_limited"


@pytest.mark.parametrize(("case", "zh", "en"), [
    ("garbage", "登录令牌无效：格式不正确，无法解析", "the bearer token is invalid: is malformed"),
    ("wrong_audience", "登录令牌无效：不是签发给本平台的", "the bearer token is invalid: issued for another audience"),
    ("wrong_issuer", "登录令牌无效：签发方不正确", "the bearer token is invalid: issued by someone else"),
    ("not_yet_valid", "登录令牌无效：尚未生效", "the bearer token is invalid: not yet valid"),
])
async def test_bearer_401_in_our_words_not_pyjwt_english_when_token_invalid(gw, case: str, zh: str, en: str) -> None:
    """I18N-1 with AUTH-1: PyJWT's own messages never appear inside `登录令牌无效：…`; English on request."""
    app, client = gw
    now = int(time.time())
    token = {"garbage": "not.a.jwt", "wrong_audience": _forge(app, aud="someone-else"),
             "wrong_issuer": _forge(app, iss="someone-else"), "not_yet_valid": _forge(app, nbf=now + 3600)}[case]
    zh_body = (await client.get("/v1/auth/me", headers={"Authorization": f"Bearer {token}"})).json()
    en_body = (await client.get("/v1/auth/me", headers={"Authorization": f"Bearer {token}",
                                                         "Accept-Language": "en"})).json()
    assert zh_body["detail"] == zh_body["errors"][0]["message_zh"] == zh
    assert en_body["detail"] == en_body["errors"][0]["message"] == en
    assert zh_body["errors"][0]["rule"] == "AUTH-1"
