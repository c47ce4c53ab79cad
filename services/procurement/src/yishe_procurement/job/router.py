from __future__ import annotations

from datetime import date

from fastapi import APIRouter

from yishe_kit.db import SessionDep
from yishe_kit.principal import PrincipalDep

from ..common.clock import TodayDep
from . import service
from .schemas import DailyResult

router = APIRouter(prefix="/jobs", tags=["job"])


@router.post("/daily", response_model=DailyResult, responses={403: {"description": "staff / internal only"}})
async def run_daily(session: SessionDep, principal: PrincipalDep, today: TodayDep,
                    as_of: date | None = None) -> DailyResult:
    """Run the time-driven rules for `as_of` (default today)."""
    return await service.run_daily(session, as_of or today, principal)
