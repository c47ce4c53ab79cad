"""Sign-in and who-am-I for everyone; accounts and system clients for platform operators (role internal)."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from yishe_kit.db import SessionDep

from ..edge.ratelimit import Limiter
from . import admin, repository, service
from .admin import IssuedKey
from .dependencies import IdentityDep, require
from .schemas import (
    ClientCreate,
    ClientRead,
    IdentityRead,
    IssuedKeyRead,
    KeyRead,
    KeyRotate,
    TokenRead,
    TokenRequest,
    UserCreate,
    UserRead,
    UserUpdate,
)

router = APIRouter(tags=["auth"])
_refused: dict = {401: {"description": "missing, expired, replayed or wrongly signed credentials (reason named)"},
            403: {"description": "role not allowed"}}


@router.post("/v1/auth/token", response_model=TokenRead, responses={401: {"description": "wrong credentials"},
                                                                     429: {"description": "too many attempts"}})
async def create_token(data: TokenRequest, session: SessionDep, request: Request) -> TokenRead:
    """Sign in with username and password; returns a bearer JWT with the role and jurisdiction."""
    limiter: Limiter = request.app.state.limiter
    limit = request.app.state.settings.rate_limit.sign_in
    limiter.hit(limit, f"sign-in:{service.client_address(request)}")
    limiter.hit(limit, f"sign-in-user:{data.username}")
    user, token, ttl = await service.sign_in(session, request.app.state.settings, username=data.username,
                                             password=data.password)
    return TokenRead(access_token=token, expires_in=ttl, role=user.role, division=user.division_prefix)


@router.get("/v1/auth/me", response_model=IdentityRead, responses=_refused)
async def get_me(identity: IdentityDep) -> IdentityRead:
    """Who the gateway takes the caller for (anonymous without credentials)."""
    return IdentityRead(kind=identity.kind, role=identity.role, actor=identity.actor, name=identity.name,
                        division=identity.division, client=identity.client, org_uscc=identity.org_uscc)


async def _admin(request: Request, identity: IdentityDep, detail: dict) -> None:
    require(identity, "internal", kinds=("user",))
    await request.app.state.audit.record(identity, request, action="admin", detail=detail)


@router.post("/v1/admin/users", status_code=201, response_model=UserRead, responses=_refused)
async def create_user(data: UserCreate, session: SessionDep, identity: IdentityDep, request: Request) -> UserRead:
    """Create an account with one role in one jurisdiction (an organisation's account is bound to its USCC)."""
    await _admin(request, identity, {"op": "create_user", "username": data.username, "role": data.role})
    user = await admin.create_user(session, username=data.username, password=data.password, role=data.role,
                                   division=data.division, org_uscc=data.org_uscc, display_name=data.display_name)
    return UserRead.model_validate(user)


@router.patch("/v1/admin/users/{username}", response_model=UserRead, responses=_refused)
async def update_user(username: str, data: UserUpdate, session: SessionDep, identity: IdentityDep,
                      request: Request) -> UserRead:
    """Disable or re-enable an account, set a new password, or revoke every token issued so far."""
    await _admin(request, identity, {"op": "update_user", "username": username})
    user = await admin.update_user(session, username, active=data.active, password=data.password,
                                   revoke_tokens=data.revoke_tokens)
    request.app.state.user_states.forget(user.user_id)
    return UserRead.model_validate(user)


def _issued(issued: IssuedKey) -> IssuedKeyRead:
    c = issued.client
    return IssuedKeyRead(client_id=c.client_id, name=c.name, role=c.role, division=c.division_prefix,
                         app_key=issued.app_key, secret=issued.secret)


@router.post("/v1/admin/clients", status_code=201, response_model=IssuedKeyRead, responses=_refused)
async def create_client(data: ClientCreate, session: SessionDep, identity: IdentityDep,
                        request: Request) -> IssuedKeyRead:
    """Register a system client (a department, the provincial platform) and issue its first AppKey and secret."""
    await _admin(request, identity, {"op": "create_client", "name": data.name, "role": data.role})
    return _issued(await admin.create_client(session, request.app.state.settings, name=data.name, role=data.role,
                                             division=data.division, rate_limit=data.rate_limit))


@router.get("/v1/admin/clients", response_model=list[ClientRead], responses=_refused)
async def list_clients(session: SessionDep, identity: IdentityDep, request: Request) -> list[ClientRead]:
    """Every system client with its keys (never a secret)."""
    await _admin(request, identity, {"op": "list_clients"})
    return [ClientRead(client_id=c.client_id, name=c.name, role=c.role, division=c.division_prefix,
                       rate_limit=c.rate_limit, active=c.active,
                       keys=[KeyRead.model_validate(k) for k in await repository.keys_of(session, c.client_id)])
            for c in await repository.clients(session)]


@router.post("/v1/admin/clients/{client_id}/keys", status_code=201, response_model=IssuedKeyRead,
             responses=_refused)
async def rotate_client_key(client_id: str, data: KeyRotate, session: SessionDep, identity: IdentityDep,
                            request: Request) -> IssuedKeyRead:
    """Rotate: issue a new AppKey; older keys stay valid or expire after the grace period given."""
    await _admin(request, identity, {"op": "rotate_key", "client_id": client_id})
    return _issued(await admin.rotate_key(session, request.app.state.settings, client_id,
                                          retire_previous_after_seconds=data.retire_previous_after_seconds))


@router.delete("/v1/admin/clients/{client_id}/keys/{app_key}", status_code=204, responses=_refused)
async def revoke_client_key(client_id: str, app_key: str, session: SessionDep, identity: IdentityDep,
                            request: Request) -> Response:
    """Revoke one AppKey: refused from the next request on."""
    await _admin(request, identity, {"op": "revoke_key", "client_id": client_id, "app_key": app_key})
    await admin.revoke_key(session, client_id, app_key)
    return Response(status_code=204)
