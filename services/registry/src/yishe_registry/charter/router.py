from __future__ import annotations

from fastapi import APIRouter

from yishe_kit.principal import PrincipalDep

from ..deps import OutboxDep, RulesDep, SessionDep, TodayDep
from . import service
from .schemas import CharterDecision, CharterRead, CharterSubmit

router = APIRouter(prefix="/organisations/{uscc}/charters", tags=["charter"])
_errors: dict = {400: {"description": "PARTY-11 or malformed"}, 403: {}, 404: {},
                 409: {"description": "already decided"}}


@router.get("", response_model=list[CharterRead], responses=_errors)
async def list_charters(uscc: str, session: SessionDep) -> list[CharterRead]:
    """Every charter version, oldest first."""
    return [CharterRead.model_validate(c) for c in await service.versions(session, uscc)]


@router.post("", status_code=201, response_model=CharterRead, responses=_errors)
async def submit_charter(uscc: str, data: CharterSubmit, session: SessionDep, principal: PrincipalDep,
                         outbox: OutboxDep, rules: RulesDep, today: TodayDep) -> CharterRead:
    """Submit a new charter version for approval (PARTY-5 reminders come back here)."""
    row, reminders = await service.submit(session, uscc, data.text, data.reason, principal, outbox, rules, today)
    return CharterRead.model_validate(row).model_copy(update={"reminders": reminders})


@router.post("/{version}/approve", response_model=CharterRead, responses=_errors)
async def approve_charter(uscc: str, version: int, data: CharterDecision, session: SessionDep,
                          principal: PrincipalDep, outbox: OutboxDep, rules: RulesDep,
                          today: TodayDep) -> CharterRead:
    """Approve a charter version; refused without the Party-building clause (PARTY-11)."""
    return CharterRead.model_validate(
        await service.approve(session, uscc, version, data.opinion, principal, outbox, rules, today))


@router.post("/{version}/reject", response_model=CharterRead, responses=_errors)
async def reject_charter(uscc: str, version: int, data: CharterDecision, session: SessionDep,
                         principal: PrincipalDep, outbox: OutboxDep, today: TodayDep) -> CharterRead:
    """Refuse a charter version with an opinion."""
    return CharterRead.model_validate(
        await service.reject(session, uscc, version, data.opinion, principal, outbox, today))
