from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import APIRouter, Query, Request

from yishe_kit.access import require_role
from yishe_kit.context import TodayDep
from yishe_kit.jobs import TRANSIENT_RETRIES
from yishe_kit.principal import PrincipalDep

from . import service
from .schemas import DailyResult

router = APIRouter(prefix="/jobs", tags=["job"])
WAIT = Query(False, description="wait for the run to finish and answer its result (200) instead of the job (202)")


@router.post("/daily", status_code=202, response_model=DailyResult,
             responses={200: {"model": DailyResult, "description": "with `wait`: the run's result"},
                        202: {"description": "the job (follow it at /v1/jobs/{job_id})"},
                        400: {"description": "as_of after the business date"},
                        403: {"description": "staff / internal only"},
                        409: {"description": "a daily job is already running (JOB-1)"}})
async def run_daily(request: Request, principal: PrincipalDep, today: TodayDep, as_of: date | None = None,
                    wait: bool = WAIT) -> Any:
    """Run the time-driven rules as of `as_of` (default: the business date; a later day is refused, 400) as a job
    (202); one at a time (409 naming the running one)."""
    require_role(principal, "staff", "internal")
    app, day = request.app, as_of or today
    service.require_day_come(day, today)

    async def work(_progress) -> DailyResult:
        async with app.state.sessionmaker() as session:
            result = await service.run_daily(session, day, principal, today)
            await session.commit()
        return result

    return await app.state.jobs.run(request, "procurement.daily", work, actor=f"{principal.role}:{principal.actor}",
                                    key="daily", wait=wait, params={"as_of": day.isoformat()},
                                    transient_retries=TRANSIENT_RETRIES)
