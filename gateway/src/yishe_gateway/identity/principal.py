"""The authenticated caller as the gateway sees it (the services get it in the gateway's signed assertion)."""

from __future__ import annotations

from dataclasses import dataclass

from yishe_kit.principal import ROLES

USER_ROLES = tuple(r for r in ROLES if r != "public")
DEPARTMENT_ROLES = ("staff", "supervisor", "party", "purchaser")


@dataclass(frozen=True)
class Identity:
    """`kind` is anonymous, user or client; `actor` goes to the services in the assertion (an org's own USCC)."""

    kind: str
    role: str
    actor: str
    division: str = ""
    name: str = "anonymous"
    subject: str = ""
    client: str | None = None
    org_uscc: str | None = None
    rate_limit: str | None = None

    @property
    def anonymous(self) -> bool:
        return self.kind == "anonymous"

    @property
    def rate_key(self) -> str:
        return f"{self.kind}:{self.subject}"

    def in_jurisdiction(self, division_code: str) -> bool:
        """Staff of "3303" act on organisations whose division code starts with it; "" is the whole city; a township
        account's 9-digit code matches what is placed at its township (disclosure/jurisdiction.py)."""
        return division_code.startswith(self.division)


def anonymous(address: str) -> Identity:
    return Identity(kind="anonymous", role="public", actor="anonymous", subject=address)


def division_of(uscc: str) -> str:
    """USCC-3: characters 3–8 are the registering authority's division code."""
    return uscc[2:8]
