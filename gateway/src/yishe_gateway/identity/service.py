"""Authentication (AUTH-1): a bearer JWT for people, AppKey + HMAC-SHA256 for systems, anonymous otherwise."""

from __future__ import annotations

import hmac
import ipaddress
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from fastapi import Request
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from ..config import Settings
from ..errors import Unauthorized
from . import repository, signing, tokens
from .models import ApiUser, ClientNonce
from .passwords import DUMMY_HASH, verify_password
from .principal import Identity, anonymous


@dataclass
class _UserState:
    active: bool
    token_version: int
    checked: float


class UserStates:
    """Whether a token's user is still active at that token version, re-read at most every `ttl` seconds;
    disabling a user or bumping the version through this gateway takes effect at once (`forget`)."""

    def __init__(self, ttl: float = 5.0):
        self.ttl = ttl
        self._states: dict[str, _UserState] = {}

    async def get(self, sessionmaker: async_sessionmaker[AsyncSession], user_id: str) -> _UserState | None:
        state = self._states.get(user_id)
        if state is not None and time.monotonic() - state.checked < self.ttl:
            return state
        async with sessionmaker() as session:
            user = await session.get(ApiUser, user_id)
        if user is None:
            self._states.pop(user_id, None)
            return None
        state = self._states[user_id] = _UserState(user.active, user.token_version, time.monotonic())
        return state

    def forget(self, user_id: str) -> None:
        self._states.pop(user_id, None)


def client_address(request: Request) -> str:
    """The caller's address for rate limits: the socket peer, unless the peer is a configured trusted proxy
    (`GATEWAY_TRUSTED_PROXIES`, CIDRs): then the right-most `X-Forwarded-For` address that is not one of them.
    A client's own X-Forwarded-For is never believed (issue 12: 64 forged addresses evaded the limit). uvicorn's own
    proxy-header handling is off for the gateway (`--no-proxy-headers`), so the peer here is the real one."""
    peer = request.client.host if request.client else "unknown"
    trusted = request.app.state.trusted_proxies
    if not trusted or not _within(peer, trusted):
        return peer
    hops = [h.strip() for h in ",".join(request.headers.getlist("x-forwarded-for")).split(",") if h.strip()]
    for hop in reversed(hops):
        if not _within(hop, trusted):
            return hop
    return peer


def _within(address: str, networks) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in net for net in networks)


async def authenticate(request: Request) -> Identity:
    """The caller behind this request; 401 with the reason when credentials are present but not acceptable."""
    authorization = request.headers.get("authorization")
    signed = "x-app-key" in request.headers or "x-signature" in request.headers
    if authorization and signed:
        raise Unauthorized("ambiguous_credentials", "请只使用一种认证方式（令牌或签名）",
                           "send either a bearer token or a signature, not both")
    if authorization:
        return await _bearer(request, authorization)
    if signed:
        return await _signed(request)
    return anonymous(client_address(request))


async def _bearer(request: Request, authorization: str) -> Identity:
    scheme, _, token = authorization.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthorized("unsupported_authorization", "仅支持 Bearer 令牌", "only `Authorization: Bearer <token>`"
                           " is accepted", field="Authorization")
    state = request.app.state
    claims = tokens.verify(state.settings.jwt, token.strip())
    user = await state.user_states.get(state.sessionmaker, claims.user_id)
    if user is None or not user.active:
        raise Unauthorized("account_disabled", "账号不存在或已停用", "the account does not exist or is disabled")
    if user.token_version != claims.token_version:
        raise Unauthorized("token_revoked", "登录令牌已被撤销，请重新登录", "the bearer token was revoked")
    actor = claims.org_uscc if claims.role == "org" and claims.org_uscc else f"user:{claims.username}"
    return Identity(kind="user", role=claims.role, actor=actor, division=claims.division, name=claims.username,
                    subject=claims.user_id, org_uscc=claims.org_uscc)


def _header(request: Request, name: str) -> str:
    value = request.headers.get(name, "").strip()
    if not value:
        raise Unauthorized("signature_headers_missing", f"签名请求缺少请求头 {name}",
                           f"a signed request needs the {name} header", field=name)
    return value


async def _signed(request: Request) -> Identity:
    settings: Settings = request.app.state.settings
    app_key, ts, nonce, sig = (_header(request, h) for h in ("X-App-Key", "X-Timestamp", "X-Nonce", "X-Signature"))
    if not (ts.isascii() and ts.isdigit()):  # a Latin-1 header's "³" is a digit to isdigit(), not to int()
        raise Unauthorized("timestamp_invalid", "X-Timestamp 须为 Unix 秒数", "X-Timestamp must be unix seconds",
                           field="X-Timestamp")
    window = settings.hmac.window_seconds
    skew = abs(time.time() - int(ts))
    if skew > window:
        raise Unauthorized("timestamp_expired", f"签名时间戳超出 ±{window} 秒的有效窗口",
                           f"the signed timestamp is outside the ±{window} s window (off by {skew:.0f} s)",
                           field="X-Timestamp")
    if not signing.NONCE.fullmatch(nonce):
        raise Unauthorized("nonce_invalid", "X-Nonce 须为 16–64 位字母、数字、_ 或 -",
                           "X-Nonce must be 16–64 characters of A-Z a-z 0-9 _ -", field="X-Nonce")
    body = await request.body()
    now = datetime.now(UTC)
    async with request.app.state.sessionmaker() as session:
        found = await repository.key_with_client(session, app_key)
        if found is None:
            raise Unauthorized("unknown_app_key", "AppKey 不存在", "unknown AppKey", field="X-App-Key")
        key, client = found
        if key.revoked_at is not None:
            raise Unauthorized("key_revoked", "该 AppKey 已被吊销", "this AppKey has been revoked", field="X-App-Key")
        if key.expires_at is not None and key.expires_at <= now:
            raise Unauthorized("key_expired", "该 AppKey 已过期（已轮换）", "this AppKey has expired (rotated)",
                               field="X-App-Key")
        if not client.active:
            raise Unauthorized("client_disabled", "该系统客户端已停用", "this client is disabled", field="X-App-Key")
        secret = client_secret(settings, key.app_key, key.salt)
        raw_path = request.scope.get("raw_path") or request.url.path.encode()
        expected = signing.signature(secret, request.method, raw_path.decode("latin-1"),
                                     request.scope["query_string"].decode("latin-1"), body, ts, nonce)
        if not hmac.compare_digest(expected.encode(), sig.encode("utf-8", "surrogatepass")):
            raise Unauthorized("bad_signature", "签名不正确", "the signature does not match the request",
                               field="X-Signature")
        session.add(ClientNonce(app_key=app_key, nonce=nonce, seen_at=now))
        try:
            await session.commit()
        except IntegrityError as exc:
            raise Unauthorized("nonce_replayed", "该请求已被使用过（重放）", "this nonce was already used (replay)",
                               field="X-Nonce") from exc
    # The actor travels in a header (latin-1): the client's id, not its (Chinese) name.
    return Identity(kind="client", role=client.role, actor=f"client:{client.client_id}",
                    division=client.division_prefix, name=client.name, subject=client.client_id, client=app_key,
                    rate_limit=client.rate_limit)


def client_secret(settings: Settings, app_key: str, salt: str) -> str:
    return signing.derive_secret(settings.client_key_secret.get_secret_value(), "client-key", app_key, salt)


async def sign_in(session: AsyncSession, settings: Settings, *, username: str, password: str,
                  ttl_seconds: int | None = None) -> tuple[ApiUser, str, int]:
    """AUTH-2: a user's password against its scrypt hash; an unknown name costs the same time as a wrong password."""
    user = await repository.user_by_name(session, username)
    ok = verify_password(password, user.password_hash if user else DUMMY_HASH)
    if user is None or not ok:
        raise Unauthorized("bad_credentials", "用户名或密码不正确", "wrong username or password")
    if not user.active:
        raise Unauthorized("account_disabled", "账号已停用", "the account is disabled")
    token, ttl = tokens.issue(settings.jwt, claims_of(user), ttl_seconds)
    return user, token, ttl


def claims_of(user: ApiUser) -> tokens.Claims:
    return tokens.Claims(user_id=user.user_id, username=user.username, role=user.role,
                         division=user.division_prefix, org_uscc=user.org_uscc, token_version=user.token_version)


async def forget_old_nonces(sessionmaker: async_sessionmaker[AsyncSession], window_seconds: int) -> int:
    """Nonces older than twice the window can never be replayed (their timestamps are refused anyway)."""
    async with sessionmaker() as session, session.begin():
        return await repository.forget_nonces_before(session, datetime.now(UTC) - timedelta(seconds=2 * window_seconds))
