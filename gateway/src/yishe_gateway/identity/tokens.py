"""Sign-in tokens: HS256 JWTs (PyJWT) carrying role, jurisdiction and the user's token version."""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass

import jwt

from ..config import JwtSettings
from ..errors import Unauthorized


@dataclass(frozen=True)
class Claims:
    user_id: str
    username: str
    role: str
    division: str
    org_uscc: str | None
    token_version: int


def issue(settings: JwtSettings, claims: Claims, ttl_seconds: int | None = None) -> tuple[str, int]:
    """A signed token and its lifetime in seconds."""
    ttl = ttl_seconds or settings.ttl_seconds
    now = int(time.time())
    payload = {
        "iss": settings.issuer, "aud": settings.audience, "sub": claims.user_id, "name": claims.username,
        "role": claims.role, "div": claims.division, "org": claims.org_uscc, "tv": claims.token_version,
        "iat": now, "nbf": now, "exp": now + ttl, "jti": uuid.uuid4().hex,
    }
    return jwt.encode(payload, settings.secret.get_secret_value(), algorithm="HS256"), ttl


# PyJWT's exception classes → our own words (its messages are library English and name internals).
_TOKEN_PROBLEMS: list[tuple[type[jwt.PyJWTError], str, str]] = [
    (jwt.ImmatureSignatureError, "尚未生效", "not yet valid"),
    (jwt.InvalidAudienceError, "不是签发给本平台的", "issued for another audience"),
    (jwt.InvalidIssuerError, "签发方不正确", "issued by someone else"),
    (jwt.MissingRequiredClaimError, "缺少必要声明", "lacks a required claim"),
    (jwt.InvalidAlgorithmError, "签名算法不被接受", "signed with an algorithm not accepted"),
    (jwt.InvalidIssuedAtError, "签发时间无效", "has an invalid issued-at time"),
    (jwt.DecodeError, "格式不正确，无法解析", "is malformed"),
]


def _token_problem(exc: jwt.PyJWTError) -> tuple[str, str]:
    for kind, zh, en in _TOKEN_PROBLEMS:
        if isinstance(exc, kind):
            return zh, en
    return "无法验证", "cannot be verified"


def verify(settings: JwtSettings, token: str) -> Claims:
    """Signature, issuer, audience and expiry checked; 401 naming which failed."""
    try:
        payload = jwt.decode(
            token, settings.secret.get_secret_value(), algorithms=["HS256"], audience=settings.audience,
            issuer=settings.issuer, leeway=5, options={"require": ["exp", "iat", "sub", "aud", "iss"]},
        )
    except jwt.ExpiredSignatureError as exc:
        raise Unauthorized("token_expired", "登录令牌已过期，请重新登录", "the bearer token has expired") from exc
    except jwt.InvalidSignatureError as exc:
        raise Unauthorized("token_bad_signature", "登录令牌签名无效",
                           "the bearer token's signature is invalid") from exc
    except jwt.PyJWTError as exc:
        zh, en = _token_problem(exc)
        raise Unauthorized("token_invalid", f"登录令牌无效：{zh}", f"the bearer token is invalid: {en}") from exc
    try:
        return Claims(user_id=str(payload["sub"]), username=str(payload.get("name", "")), role=str(payload["role"]),
                      division=str(payload.get("div") or ""), org_uscc=payload.get("org"),
                      token_version=int(payload.get("tv", 0)))
    except (KeyError, TypeError, ValueError) as exc:
        raise Unauthorized("token_invalid", "登录令牌缺少必要声明", "the bearer token lacks required claims") from exc
