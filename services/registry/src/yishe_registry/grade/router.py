from __future__ import annotations

from fastapi import APIRouter

from yishe_kit.principal import PrincipalDep

from ..deps import OutboxDep, RulesDep, SessionDep, TodayDep
from . import service
from .schemas import Award, Downgrade, GradeRead, Revoke

router = APIRouter(prefix="/organisations/{uscc}/grades", tags=["grade"])
_errors: dict = {400: {"description": "EVAL rule refused"}, 403: {}, 404: {}, 409: {"description": "no grade held"}}


@router.get("", response_model=list[GradeRead], responses=_errors)
async def list_grades(uscc: str, session: SessionDep) -> list[GradeRead]:
    """Every grade the organisation held, with validity and how it ended (public, CODE-4)."""
    return [GradeRead.model_validate(g) for g in await service.history(session, uscc)]


@router.post("", status_code=201, response_model=GradeRead, responses=_errors)
async def award_grade(uscc: str, data: Award, session: SessionDep, principal: PrincipalDep, outbox: OutboxDep,
                      rules: RulesDep, today: TodayDep) -> GradeRead:
    """Record an evaluation result (validity by EVAL-4 or EVAL-8)."""
    return GradeRead.model_validate(await service.award(session, uscc, data, principal, outbox, rules, today))


@router.post("/downgrade", response_model=GradeRead, responses=_errors)
async def downgrade_grade(uscc: str, data: Downgrade, session: SessionDep, principal: PrincipalDep,
                          outbox: OutboxDep, today: TodayDep) -> GradeRead:
    """Lower the current grade (EVAL-7)."""
    return GradeRead.model_validate(await service.downgrade(session, uscc, data, principal, outbox, today))


@router.post("/revoke", response_model=GradeRead, responses=_errors)
async def revoke_grade(uscc: str, data: Revoke, session: SessionDep, principal: PrincipalDep, outbox: OutboxDep,
                       today: TodayDep) -> GradeRead:
    """Cancel the current grade (EVAL-7)."""
    return GradeRead.model_validate(await service.revoke(session, uscc, data, principal, outbox, today))
