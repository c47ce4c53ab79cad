"""Who is calling, as the gateway vouched for it in its signed assertion (yishe_kit.assertion).

`AssertionGate` verifies the assertion before anything else runs and leaves the Principal in the request scope;
`X-Yishe-Role/Actor/Division` headers mean nothing to a service.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request

ROLES = ("public", "org", "staff", "supervisor", "party", "purchaser", "internal")


@dataclass(frozen=True)
class Principal:
    actor: str
    role: str
    division_prefix: str = ""

    def is_any(self, *roles: str) -> bool:
        return self.role in roles


SCOPE_KEY = "yishe_principal"


def get_principal(request: Request) -> Principal:
    principal: Principal | None = request.scope.get("state", {}).get(SCOPE_KEY)
    if principal is None:  # only an app built without the kit's gate (never a service) gets here
        from .errors import ServiceError

        raise ServiceError("assertion_missing", 401, "no verified caller: the gateway's assertion is required")
    return principal


PrincipalDep = Annotated[Principal, Depends(get_principal)]
