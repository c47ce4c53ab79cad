"""Managing accounts and system clients: create, rotate and revoke keys (AUTH-3), the development credentials."""

from __future__ import annotations

import re
import secrets
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from yishe_contracts.identifiers import validate_social_org_uscc
from yishe_kit.errors import Conflict, NotFound, Problem, ServiceError

from ..config import Settings
from ..errors import bad_request
from . import repository, tokens
from .models import ApiClient, ApiUser, ClientKey
from .passwords import hash_password
from .principal import USER_ROLES
from .service import claims_of, client_secret
from .signing import new_salt

CLIENT_ROLES = ("staff", "supervisor", "party", "purchaser", "internal")
# A GB/T 2260 prefix (0–6 digits, "" = whole city) or a 9-digit township (乡镇/街道) code for township users.
_DIVISION = re.compile(r"\d{0,6}|\d{9}")
_USERNAME = re.compile(r"[A-Za-z0-9._@\-]{3,100}")  # it travels as X-Yishe-Actor: ASCII only
DEV_USER, DEV_PASSWORD, DEV_CLIENT, DEV_APP_KEY = "dev-staff", "dev-staff", "dev-department", "ak_dev_department"


@dataclass(frozen=True)
class IssuedKey:
    client: ApiClient
    app_key: str
    secret: str


def _check_scope(role: str, roles: tuple[str, ...], division: str) -> None:
    if role not in roles:
        raise bad_request("invalid_role", "role", "AUTH-4", f"角色须为 {'、'.join(roles)} 之一",
                          f"role must be one of {', '.join(roles)}")
    if not _DIVISION.fullmatch(division):
        raise bad_request("invalid_division", "division", "AUTH-4",
                          "辖区须为 0–6 位行政区划代码前缀或 9 位乡镇（街道）代码",
                          "division must be a prefix of 0–6 digits of a division code or a 9-digit township code")


def _check_password(password: str) -> None:
    if len(password) < 8:
        raise bad_request("weak_password", "password", "AUTH-2", "密码至少 8 位", "the password needs 8+ characters")


async def create_user(session: AsyncSession, *, username: str, password: str, role: str, division: str = "",
                      org_uscc: str | None = None, display_name: str | None = None) -> ApiUser:
    """AUTH-4: a person with one role in one jurisdiction; an organisation's account is bound to its USCC."""
    _check_scope(role, USER_ROLES, division)
    if not _USERNAME.fullmatch(username):
        raise bad_request("invalid_username", "username", "AUTH-4", "用户名须为 3–100 位字母、数字或 . _ @ -",
                          "a username is 3–100 of A-Z a-z 0-9 . _ @ -")
    if role == "org":
        problems = validate_social_org_uscc(org_uscc or "", field="org_uscc")
        if problems:
            raise ServiceError("invalid_uscc", 400, "an organisation account needs its valid USCC",
                               [Problem(p.field, p.rule, p.message_zh, p.message_en) for p in problems])
    elif org_uscc:
        raise bad_request("org_uscc_for_org_only", "org_uscc", "AUTH-4", "只有社会组织账号绑定统一社会信用代码",
                          "only an organisation account is bound to a USCC")
    _check_password(password)
    user = ApiUser(user_id=str(uuid.uuid4()), username=username, display_name=display_name or username,
                   password_hash=hash_password(password), role=role, division_prefix=division,
                   org_uscc=org_uscc if role == "org" else None, active=True, token_version=1,
                   created_at=datetime.now(UTC))
    session.add(user)
    try:
        await session.flush()
    except IntegrityError as exc:
        raise Conflict("username_taken", f"username {username} exists") from exc
    return user


async def update_user(session: AsyncSession, username: str, *, active: bool | None = None,
                      password: str | None = None, revoke_tokens: bool = False) -> ApiUser:
    """AUTH-3: disabling, a new password or an explicit revocation invalidates every token issued before."""
    user = await repository.user_by_name(session, username)
    if user is None:
        raise NotFound("user_not_found", f"no user {username}")
    if password is not None:
        _check_password(password)
        user.password_hash = hash_password(password)
    if active is not None:
        user.active = active
    if revoke_tokens or password is not None or active is False:
        user.token_version += 1
    await session.flush()
    return user


async def create_client(session: AsyncSession, settings: Settings, *, name: str, role: str, division: str = "",
                        rate_limit: str | None = None, app_key: str | None = None) -> IssuedKey:
    """AUTH-4: a system client with a role and jurisdiction, and its first AppKey (the secret is shown once)."""
    _check_scope(role, CLIENT_ROLES, division)
    if rate_limit is not None:
        _check_rate_limit(rate_limit)
    client = ApiClient(client_id=str(uuid.uuid4()), name=name, role=role, division_prefix=division,
                       rate_limit=rate_limit, active=True, created_at=datetime.now(UTC))
    session.add(client)
    try:
        await session.flush()
    except IntegrityError as exc:
        raise Conflict("client_name_taken", f"client {name} exists") from exc
    return await _new_key(session, settings, client, app_key)


def _check_rate_limit(value: str) -> None:
    from limits import parse_many

    try:
        parse_many(value)
    except ValueError as exc:
        raise bad_request("invalid_rate_limit", "rate_limit", "EDGE-1", "限流格式如 100/second",
                          "a rate limit looks like 100/second") from exc


async def _new_key(session: AsyncSession, settings: Settings, client: ApiClient, app_key: str | None) -> IssuedKey:
    key = ClientKey(app_key=app_key or f"ak_{secrets.token_hex(10)}", client_id=client.client_id, salt=new_salt(),
                    created_at=datetime.now(UTC))
    session.add(key)
    await session.flush()
    return IssuedKey(client, key.app_key, client_secret(settings, key.app_key, key.salt))


async def rotate_key(session: AsyncSession, settings: Settings, client_id: str, *,
                     retire_previous_after_seconds: int | None = None) -> IssuedKey:
    """AUTH-3 rotation: a new AppKey; the previous keys stay valid, or expire after the given grace period."""
    client = await session.get(ApiClient, client_id)
    if client is None:
        raise NotFound("client_not_found", f"no client {client_id}")
    if retire_previous_after_seconds is not None:
        until = datetime.now(UTC) + timedelta(seconds=max(0, retire_previous_after_seconds))
        for key in await repository.keys_of(session, client_id):
            if key.revoked_at is None and (key.expires_at is None or key.expires_at > until):
                key.expires_at = until
    return await _new_key(session, settings, client, None)


async def revoke_key(session: AsyncSession, client_id: str, app_key: str) -> ClientKey:
    """AUTH-3 revocation: the key is refused from the next request on (no cache in between)."""
    found = await repository.key_with_client(session, app_key)
    if found is None or found[1].client_id != client_id:
        raise NotFound("key_not_found", f"client {client_id} has no key {app_key}")
    key = found[0]
    if key.revoked_at is None:
        key.revoked_at = datetime.now(UTC)
        await session.flush()
    return key


async def dev_credentials(session: AsyncSession, settings: Settings) -> dict:
    """The development staff account and system client of `make run` (env=dev only); idempotent."""
    if settings.env != "dev":
        raise ServiceError("dev_only", 403, "development credentials exist only with GATEWAY_ENV=dev")
    user = await repository.user_by_name(session, DEV_USER)
    if user is None:
        user = await create_user(session, username=DEV_USER, password=DEV_PASSWORD, role="staff",
                                 display_name="开发用登记管理机关工作人员")
    client = await repository.client_by_name(session, DEV_CLIENT)
    if client is None:
        issued = await create_client(session, settings, name=DEV_CLIENT, role="staff", app_key=DEV_APP_KEY)
        key = await session.get(ClientKey, issued.app_key)
    else:
        key = await session.get(ClientKey, DEV_APP_KEY)
        if key is None or key.revoked_at is not None:
            issued = await rotate_key(session, settings, client.client_id)
            key = await session.get(ClientKey, issued.app_key)
    token, ttl = tokens.issue(settings.jwt, claims_of(user), settings.jwt.dev_ttl_seconds)
    return {
        "staff": {"username": DEV_USER, "password": DEV_PASSWORD, "role": user.role, "token": token,
                  "expires_in": ttl},
        "client": {"name": DEV_CLIENT, "role": "staff", "app_key": key.app_key,
                   "secret": client_secret(settings, key.app_key, key.salt)},
    }
