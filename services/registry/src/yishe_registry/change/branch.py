"""Branch rules: REG-3 no branches for 民非; REG-2 no regional branches for 社会团体 and no branch of a branch."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from yishe_contracts.events.common import OrgType
from yishe_contracts.events.registry import BranchChange, BranchChanged
from yishe_kit.access import require_role
from yishe_kit.db import flush_or_conflict
from yishe_kit.errors import Problem
from yishe_kit.outbox import Outbox
from yishe_kit.principal import Principal

from ..errors import Missing, Refused, WrongState
from ..organisation import service as organisation_service
from .models import Branch
from .schemas import BranchCreate


def branch_problems(org_type: str, data: BranchCreate) -> list[Problem]:
    """REG-2 (Art 17), REG-3 (Art 13)."""
    if org_type == OrgType.PRIVATE_NON_ENTERPRISE.value:
        return [Problem("kind", "REG-3", "民办非企业单位（社会服务机构）不得设立分支机构",
                        "a private non-enterprise unit (social service agency) may not set up branches")]
    problems = []
    if data.regional and org_type == OrgType.SOCIAL_GROUP.value:
        problems.append(Problem("regional", "REG-2", "社会团体不得设立地域性分支机构",
                                "a social group may not set up regional branches"))
    if data.parent_branch_id is not None:
        problems.append(Problem("parent_branch_id", "REG-2", "分支机构不得再设立分支机构",
                                "a branch may not have branches of its own"))
    return problems


async def register(session: AsyncSession, uscc: str, data: BranchCreate, principal: Principal, outbox: Outbox,
                   today: date) -> Branch:
    """Register a branch or representative office (not legal persons) under an active organisation."""
    require_role(principal, "staff", action_zh="办理分支机构登记", action_en="register branches")
    org = await organisation_service.get_for_staff(session, uscc, principal)
    organisation_service.require_status(org, "active", action_zh="设立分支机构", action_en="add a branch to")
    problems = branch_problems(org.org_type, data)
    if problems:
        raise Refused(problems)
    row = Branch(uscc=uscc, name=data.name, full_name=org.name + data.name, kind=data.kind.value,
                 regional=data.regional, address=data.address, leader_name=data.leader_name,
                 business_scope=data.business_scope, status="active", registered_on=today)
    session.add(row)
    await flush_or_conflict(session, "branch_exists", "a branch of this name exists", [Problem(
        "name", "REG-6", "该组织已有同名分支机构", "the organisation already has a branch of this name")])
    await organisation_service.record_history(session, uscc, "branch_registered", principal,
                                              after={"branch_id": row.branch_id, "name": row.full_name,
                                                     "kind": row.kind}, reason="分支机构设立登记")
    await outbox.emit(session, BranchChanged(uscc=uscc, branch_id=row.branch_id, name=row.full_name,
                                             branch_kind=row.kind, change=BranchChange.REGISTERED, changed_on=today))
    return row


async def deregister(session: AsyncSession, uscc: str, branch_id: int, reason: str, principal: Principal,
                     outbox: Outbox, today: date) -> Branch:
    require_role(principal, "staff", action_zh="办理分支机构注销", action_en="deregister branches")
    await organisation_service.get_for_staff(session, uscc, principal)
    row = await session.get(Branch, branch_id)
    if row is None or row.uscc != uscc:
        raise Missing("branch", branch_id, "分支机构")
    if row.status != "active":
        raise WrongState("status", "REG-2", "该分支机构已注销", "the branch is already deregistered")
    row.status, row.deregistered_on = "deregistered", today
    await organisation_service.record_history(session, uscc, "branch_deregistered", principal,
                                              before={"branch_id": branch_id, "status": "active"},
                                              after={"status": "deregistered"}, reason=reason)
    await outbox.emit(session, BranchChanged(uscc=uscc, branch_id=row.branch_id, name=row.full_name,
                                             branch_kind=row.kind, change=BranchChange.DEREGISTERED, changed_on=today))
    return row


async def listing(session: AsyncSession, uscc: str) -> list[Branch]:
    await organisation_service.get(session, uscc)
    stmt = select(Branch).where(Branch.uscc == uscc).order_by(Branch.branch_id)
    return list((await session.scalars(stmt)).all())
