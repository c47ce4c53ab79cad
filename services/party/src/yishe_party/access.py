"""Who may do what in Party-building work: roles (the gateway asserts them) and division jurisdiction."""

from __future__ import annotations

from yishe_kit.errors import Forbidden
from yishe_kit.principal import Principal

PARTY_WRITERS = ("party",)
"""Party-building work (members, Party organisations, instructors) is the Party-building role's."""
PERSONAL_DATA_READERS = ("party",)
"""Members' and instructors' personal data: only Party-building roles (issue 6)."""
OVERSIGHT_READERS = ("party", "staff", "internal")
"""Coverage, budgets, checklists and indicators: Party-building, the registration authority and services."""


def require_role(principal: Principal, *roles: str, what: str) -> None:
    """403 unless the caller has one of `roles`."""
    if not principal.is_any(*roles):
        raise Forbidden("forbidden_role", f"{what} needs one of the roles {', '.join(roles)}; "
                                          f"角色 {principal.role} 无权{what}")


def require_division(principal: Principal, division_code: str) -> None:
    """Jurisdiction: a caller limited to a division prefix acts only on organisations inside it."""
    if principal.is_any("staff", "party", "supervisor") and not division_code.startswith(principal.division_prefix):
        raise Forbidden("outside_jurisdiction",
                        f"division {division_code} is outside the caller's division {principal.division_prefix}; "
                        f"该组织不在本辖区（{principal.division_prefix}）内")


def division_scope(principal: Principal, requested: str | None) -> str:
    """The division prefix a listing may cover: the requested one, narrowed to the caller's jurisdiction."""
    own = principal.division_prefix if principal.is_any("staff", "party", "supervisor") else ""
    requested = requested or ""
    if requested.startswith(own):
        return requested
    if own.startswith(requested):
        return own
    raise Forbidden("outside_jurisdiction", f"division {requested} is outside the caller's division {own}; "
                                            f"所查区划不在本辖区（{own}）内")
