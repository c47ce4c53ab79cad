"""Who may do what: roles (from the gateway's trusted headers) and staff jurisdiction by division prefix."""

from __future__ import annotations

from yishe_kit.errors import Problem, ServiceError
from yishe_kit.principal import Principal

ROLE_LABELS = {"staff": "登记管理机关工作人员", "supervisor": "业务主管单位", "party": "党建工作机构",
               "org": "社会组织本身", "internal": "内部系统", "public": "公众"}


class Denied(ServiceError):
    def __init__(self, code: str, problem: Problem):
        super().__init__(code=code, status=403, detail=problem.message_en, problems=[problem])


def require_role(principal: Principal, *roles: str, action_zh: str, action_en: str) -> None:
    """AUTH-1 [P]: a write needs one of the roles entitled to it."""
    if principal.role not in roles:
        allowed = "、".join(ROLE_LABELS.get(r, r) for r in roles)
        raise Denied("role_forbidden", Problem(
            "role", "AUTH-1", f"只有{allowed}可以{action_zh}（当前角色：{principal.role}）",
            f"only {', '.join(roles)} may {action_en} (role: {principal.role})"))


# Roles whose division prefix limits what they may act on (AUTH-2); org, internal and public have none.
JURISDICTION_ROLES = frozenset({"staff", "supervisor", "party"})


def require_jurisdiction(principal: Principal, division_code: str) -> None:
    """AUTH-2 [P]: staff, a supervisory unit or a Party-building body limited to a division prefix act only on
    records under it (an empty prefix is the whole city)."""
    if principal.role in JURISDICTION_ROLES and principal.division_prefix and not division_code.startswith(
            principal.division_prefix):
        raise Denied("outside_jurisdiction", Problem(
            "division_code", "AUTH-2",
            f"该事项属于行政区划{division_code}，不在您的管辖范围（{principal.division_prefix}）内",
            f"division {division_code} is outside your jurisdiction {principal.division_prefix}"))


def require_org_or_roles(principal: Principal, uscc: str, *roles: str, action_zh: str, action_en: str) -> None:
    """The organisation's own account (actor = its USCC) or one of `roles`."""
    if principal.role == "org":
        if principal.actor != uscc:
            raise Denied("not_own_organisation", Problem(
                "uscc", "AUTH-1", "社会组织账号只能办理本组织的事项",
                "an organisation account may act only for its own organisation"))
        return
    require_role(principal, "org", *roles, action_zh=action_zh, action_en=action_en)


def listing_prefix(principal: Principal, requested: str | None, field: str = "division") -> str | None:
    """AUTH-2 for lists: a caller limited to a prefix sees only records under it, narrowed further by the division
    asked for; asking for a division outside the prefix is refused."""
    prefix = principal.division_prefix if principal.role in JURISDICTION_ROLES else ""
    if not prefix or (requested and requested.startswith(prefix)):
        return requested or None
    if not requested or prefix.startswith(requested):
        return prefix
    raise Denied("outside_jurisdiction", Problem(
        field, "AUTH-2", f"行政区划{requested}不在您的管辖范围（{prefix}）内",
        f"division {requested} is outside your jurisdiction {prefix}"))
