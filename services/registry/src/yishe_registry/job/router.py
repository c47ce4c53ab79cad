from __future__ import annotations

from datetime import date

from fastapi import APIRouter

from yishe_kit.principal import PrincipalDep

from ..deps import OutboxDep, RulesDep, SessionDep
from . import service
from .schemas import DailyResult

router = APIRouter(prefix="/jobs", tags=["job"])


@router.post("/daily", response_model=DailyResult, responses={403: {"description": "staff or internal only"}})
async def run_daily_job(as_of: date, session: SessionDep, principal: PrincipalDep, outbox: OutboxDep,
                        rules: RulesDep) -> DailyResult:
    """Run every time-driven rule for `as_of` (overdue reports, expired grades, qualifications and names, overdue
    applications, ended suspensions); idempotent for the same day."""
    return await service.run_daily(session, as_of, principal, outbox, rules)
