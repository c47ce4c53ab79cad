from __future__ import annotations

from fastapi import APIRouter, Response

from yishe_kit.principal import PrincipalDep

from ..deps import OutboxDep, RulesDep, SessionDep, TodayDep
from . import branch, service
from .schemas import BranchCreate, BranchDeregister, BranchRead, ChangeRead, ChangeRequest

router = APIRouter(prefix="/organisations/{uscc}", tags=["change"])
_errors: dict = {400: {"description": "a rule refused, by rule id"}, 403: {"description": "role or jurisdiction"},
           404: {}, 409: {"description": "wrong status, name taken, or the new legal representative already "
                                           "holds a post it excludes (REG-2, REG-4)"}}


@router.post("/changes", response_model=ChangeRead,
             responses={**_errors, 202: {"description": "TPA-2: waits for the outgoing representative's audit"}})
async def register_change(uscc: str, data: ChangeRequest, session: SessionDep, principal: PrincipalDep,
                          outbox: OutboxDep, rules: RulesDep, today: TodayDep, response: Response) -> ChangeRead:
    """变更登记: change registered items; the 30-day deadline after the supervisory unit's consent is tracked; a new
    legal representative waits (202) for the outgoing one's audit report or a documented exemption (TPA-2)."""
    read = await service.change(session, uscc, data, principal, outbox, rules, today)
    if read.status == "awaiting_audit":
        response.status_code = 202
    return read


@router.get("/branches", response_model=list[BranchRead], responses=_errors)
async def list_branches(uscc: str, session: SessionDep) -> list[BranchRead]:
    """The organisation's branches and representative offices."""
    return [BranchRead.model_validate(b) for b in await branch.listing(session, uscc)]


@router.post("/branches", status_code=201, response_model=BranchRead, responses=_errors)
async def register_branch(uscc: str, data: BranchCreate, session: SessionDep, principal: PrincipalDep,
                          outbox: OutboxDep, today: TodayDep) -> BranchRead:
    """Register a branch (REG-2: none regional for 社会团体, none under a branch; REG-3: none for 民非)."""
    return BranchRead.model_validate(await branch.register(session, uscc, data, principal, outbox, today))


@router.post("/branches/{branch_id}/deregister", response_model=BranchRead, responses=_errors)
async def deregister_branch(uscc: str, branch_id: int, data: BranchDeregister, session: SessionDep,
                            principal: PrincipalDep, outbox: OutboxDep, today: TodayDep) -> BranchRead:
    """Deregister a branch."""
    return BranchRead.model_validate(
        await branch.deregister(session, uscc, branch_id, data.reason, principal, outbox, today))
