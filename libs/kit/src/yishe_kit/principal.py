"""Who is calling, as asserted by the gateway in trusted headers (services are not reachable from outside).

The gateway strips any `X-Yishe-*` header a client sends and sets its own; a missing role is `public`.
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


def get_principal(request: Request) -> Principal:
    role = request.headers.get("x-yishe-role", "public")
    if role not in ROLES:
        role = "public"
    return Principal(
        actor=request.headers.get("x-yishe-actor", "anonymous"),
        role=role,
        division_prefix=request.headers.get("x-yishe-division", ""),
    )


PrincipalDep = Annotated[Principal, Depends(get_principal)]
