from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import APIRouter, Query, Request

from yishe_kit.access import require_role
from yishe_kit.jobs import TRANSIENT_RETRIES
from yishe_kit.principal import PrincipalDep

from ..deps import TodayDep
from . import service
from .schemas import DailyResult

router = APIRouter(prefix="/jobs", tags=["job"])
WAIT = Query(False, description="wait for the run to finish and answer its result (200) instead of the job (202)")


@router.post("/daily", status_code=202, response_model=DailyResult,
             responses={200: {"model": DailyResult, "description": "with `wait`: the run's result"},
                        202: {"description": "the job (follow it at /v1/jobs/{job_id})"},
                        403: {"description": "staff or internal only"},
                        409: {"description": "a daily job is already running (JOB-1)"}})
async def run_daily_job(request: Request, principal: PrincipalDep, today: TodayDep, as_of: date | None = None,
                        wait: bool = WAIT) -> Any:
    """Run every time-driven rule for `as_of` (default: the business date; overdue reports, expired grades,
    qualifications and names, overdue applications, ended suspensions, missing disclosures) as a job (202); one at a
    time (409 naming the running one); idempotent for the same day."""
    require_role(principal, "staff", "internal", action_zh="运行每日任务", action_en="run the daily job")
    app, day = request.app, as_of or today

    async def work(_progress) -> DailyResult:
        async with app.state.sessionmaker() as session:
            result = await service.run_daily(session, day, principal, app.state.outbox, app.state.settings.rules)
            await session.commit()
        return result

    return await app.state.jobs.run(request, "registry.daily", work, actor=f"{principal.role}:{principal.actor}",
                                    key="daily", wait=wait, params={"as_of": day.isoformat()},
                                    transient_retries=TRANSIENT_RETRIES)
