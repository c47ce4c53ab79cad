"""Who may do what: roles set by the gateway, the organisation's own account, and division jurisdiction."""

from __future__ import annotations

from yishe_kit.errors import Forbidden
from yishe_kit.principal import Principal


def require_role(principal: Principal, *roles: str) -> None:
    if not principal.is_any(*roles):
        raise Forbidden("role_not_allowed", f"需要角色 {'/'.join(roles)}，当前角色 {principal.role}; "
                                            f"this needs role {' or '.join(roles)}, caller is {principal.role}")


def require_own_org(principal: Principal, uscc: str) -> None:
    """The organisation's own account: role `org` with X-Yishe-Actor = its USCC."""
    if not (principal.role == "org" and principal.actor == uscc):
        raise Forbidden("not_own_organisation", f"只有该组织本身可以操作; only the organisation {uscc} itself may "
                                                "do this (role org, actor = its USCC)")


def require_division(principal: Principal, division_code: str) -> None:
    """Staff and purchasers with a division prefix act only inside it (empty prefix = the whole city)."""
    prefix = principal.division_prefix
    if prefix and not division_code.startswith(prefix):
        raise Forbidden("outside_jurisdiction", f"行政区划 {division_code} 不在管辖范围 {prefix} 内; "
                                                f"division {division_code} is outside the caller's {prefix}")


def can_see_all(principal: Principal) -> bool:
    return principal.is_any("staff", "supervisor", "purchaser", "internal")
