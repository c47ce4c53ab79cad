from __future__ import annotations

from fastapi import APIRouter, Query

from yishe_kit.principal import PrincipalDep

from ..deps import OutboxDep, RulesDep, SessionDep, TodayDep
from . import service
from .schemas import WorkforceFiling, WorkforceIndicators, WorkforceRead

router = APIRouter(tags=["workforce"])
_errors: dict = {400: {"description": "WORK-1 negative counts or a future year"},
           403: {"description": "role or jurisdiction (AUTH-1/2)"}, 404: {}}


@router.get("/organisations/{uscc}/workforce", response_model=list[WorkforceRead], responses=_errors)
async def list_workforce(uscc: str, session: SessionDep) -> list[WorkforceRead]:
    """Full-time staff, certified social workers and volunteers per year (head counts only, no names)."""
    return [WorkforceRead.model_validate(r) for r in await service.listing(session, uscc)]


@router.post("/organisations/{uscc}/workforce", response_model=WorkforceRead, responses=_errors)
async def file_workforce(uscc: str, data: WorkforceFiling, session: SessionDep, principal: PrincipalDep,
                         outbox: OutboxDep, today: TodayDep) -> WorkforceRead:
    """A change filing of the workforce figures (WORK-1), emitted for the targets dashboard."""
    return WorkforceRead.model_validate(await service.file_change(session, uscc, data, principal, outbox, today))


@router.get("/workforce/indicators", response_model=WorkforceIndicators, responses=_errors)
async def workforce_indicators(session: SessionDep, principal: PrincipalDep, rules: RulesDep,
                               year: int = Query(ge=2000, le=2100),
                               division: str | None = Query(None, pattern=r"^\d{2,9}$")) -> WorkforceIndicators:
    """≥ 1 full-time staff per organisation (WORK-2) and the totals against the city target (WORK-3)."""
    return await service.indicators(session, principal, year, division, rules)
