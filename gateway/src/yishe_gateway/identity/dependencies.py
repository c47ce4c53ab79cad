"""`IdentityDep`: authenticate, then charge the caller's rate limit; routes that need a role use `require`."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from ..errors import Unauthorized, forbidden
from .principal import Identity
from .service import authenticate


async def current_identity(request: Request) -> Identity:
    identity = await authenticate(request)
    request.app.state.limiter.check(identity)
    request.state.identity = identity
    return identity


IdentityDep = Annotated[Identity, Depends(current_identity)]


def require(identity: Identity, *roles: str, kinds: tuple[str, ...] = ("user", "client")) -> Identity:
    """401 for an anonymous caller, 403 for a role (or kind of caller) not listed."""
    if identity.anonymous:
        raise Unauthorized("authentication_required", "需要登录或签名请求", "authentication required: a bearer "
                           "token or a signed request")
    if identity.role not in roles or identity.kind not in kinds:
        raise forbidden("role_forbidden", f"角色 {identity.role} 无权执行此操作",
                        f"role {identity.role} ({identity.kind}) may not do this", rule="AUTH-4")
    return identity
