from __future__ import annotations

from datetime import date

from fastapi import APIRouter

from yishe_kit.db import SessionDep
from yishe_kit.principal import PrincipalDep

from ..deps import ERRORS, OutboxDep, SettingsDep
from . import service
from .schemas import DailyRunRead

router = APIRouter(prefix="/jobs", tags=["job"])


@router.post("/daily", response_model=DailyRunRead, responses=ERRORS)
async def run_daily_job(as_of: date, session: SessionDep, principal: PrincipalDep, settings: SettingsDep,
                        outbox: OutboxDep) -> DailyRunRead:
    """Run the time-driven rules for one day (staff/internal); idempotent for the same `as_of`."""
    return await service.run_daily(session, principal, as_of=as_of, outbox=outbox, settings=settings)
