"""Who may do what, in one place for every service: roles (AUTH-1) and jurisdiction (AUTH-2).

The caller is the `Principal` the gateway vouched for. One set of error codes for every service, `role_forbidden`,
`not_own_organisation` (AUTH-1) and `outside_jurisdiction` (AUTH-2), documented once: the root README's "Roles and
jurisdiction".
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TypeVar

from .errors import Problem, ServiceError
from .principal import Principal

T = TypeVar("T")

ROLE_LABELS = {"staff": "登记管理机关工作人员", "supervisor": "业务主管单位", "party": "党建工作机构",
               "purchaser": "购买主体", "org": "社会组织本身", "internal": "内部系统", "public": "公众"}

# Roles whose division prefix limits what they may see and act on (AUTH-2); org, internal and public have none.
JURISDICTION_ROLES = frozenset({"staff", "supervisor", "party", "purchaser"})


class Denied(ServiceError):
    def __init__(self, code: str, problem: Problem):
        super().__init__(code=code, status=403, detail=problem.message_en, problems=[problem])


def require_role(principal: Principal, *roles: str, action_zh: str = "执行此操作",
                 action_en: str = "do this") -> None:
    """AUTH-1 [P]: an action needs one of the roles entitled to it."""
    if principal.role not in roles:
        allowed = "、".join(ROLE_LABELS.get(r, r) for r in roles)
        current = ROLE_LABELS.get(principal.role, principal.role)
        raise Denied("role_forbidden", Problem(
            "role", "AUTH-1", f"只有{allowed}可以{action_zh}（当前角色：{current}）",
            f"only {', '.join(roles)} may {action_en} (role: {principal.role})"))


def jurisdiction_prefix(principal: Principal) -> str:
    """The division prefix the caller is held to ("" = no limit)."""
    return principal.division_prefix if principal.role in JURISDICTION_ROLES else ""


def in_jurisdiction(principal: Principal, division_code: str | None) -> bool:
    prefix = jurisdiction_prefix(principal)
    return not prefix or bool(division_code and division_code.startswith(prefix))


def keep_in_jurisdiction(principal: Principal, items: Iterable[T], division_of: Callable[[T], str | None]
                         ) -> list[T]:
    """AUTH-2 for lists read before they could be narrowed in the query: only the items whose division lies under
    the caller's prefix (every item for a caller without one; an item of unknown division only for those)."""
    if not jurisdiction_prefix(principal):
        return list(items)
    return [item for item in items if in_jurisdiction(principal, division_of(item))]


def require_jurisdiction(principal: Principal, division_code: str, field: str = "division_code") -> None:
    """AUTH-2 [P]: a caller limited to a division prefix acts only on records under it (empty prefix: whole city)."""
    if not in_jurisdiction(principal, division_code):
        prefix = jurisdiction_prefix(principal)
        raise Denied("outside_jurisdiction", Problem(
            field, "AUTH-2", f"该事项属于行政区划{division_code}，不在您的管辖范围（{prefix}）内",
            f"division {division_code} is outside your jurisdiction {prefix}"))


def require_org_or_roles(principal: Principal, uscc: str, *roles: str, action_zh: str = "执行此操作",
                         action_en: str = "do this") -> None:
    """The organisation's own account (actor = its USCC) or one of `roles`."""
    if principal.role == "org":
        if principal.actor != uscc:
            raise Denied("not_own_organisation", Problem(
                "uscc", "AUTH-1", "社会组织账号只能办理本组织的事项",
                "an organisation account may act only for its own organisation"))
        return
    require_role(principal, "org", *roles, action_zh=action_zh, action_en=action_en)


def sees_organisation(principal: Principal, uscc: str, division_code: str | None) -> bool:
    """AUTH-1/AUTH-2 for one organisation's non-public data: its own account, or a caller whose jurisdiction holds
    its division."""
    if principal.role == "org":
        return principal.actor == uscc
    return in_jurisdiction(principal, division_code)


def require_organisation_in_scope(principal: Principal, uscc: str, division_code: str,
                                  field: str = "division_code") -> None:
    """`sees_organisation`, refused with AUTH-1 (another organisation's account) or AUTH-2 (outside the
    jurisdiction)."""
    require_org_or_roles(principal, uscc, principal.role)
    require_jurisdiction(principal, division_code, field)


def listing_prefix(principal: Principal, requested: str | None, field: str = "division") -> str | None:
    """AUTH-2 for lists: a caller limited to a prefix sees only records under it, narrowed further by the division
    asked for; asking for a division outside the prefix is refused."""
    prefix = jurisdiction_prefix(principal)
    if not prefix or (requested and requested.startswith(prefix)):
        return requested or None
    if not requested or prefix.startswith(requested):
        return prefix
    raise Denied("outside_jurisdiction", Problem(
        field, "AUTH-2", f"行政区划{requested}不在您的管辖范围（{prefix}）内",
        f"division {requested} is outside your jurisdiction {prefix}"))
