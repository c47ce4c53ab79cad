from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request

from yishe_kit.access import require_role
from yishe_kit.jobs import TRANSIENT_RETRIES

from ..context import CtxDep
from . import service
from .schemas import DailyResult, RunRead

router = APIRouter(tags=["job"])


WAIT = Query(False, description="wait for the run to finish and answer its result (200) instead of the job (202)")


@router.post("/jobs/daily", status_code=202, response_model=DailyResult,
             responses={200: {"model": DailyResult, "description": "with `wait`: the run's result"},
                        202: {"description": "the job (follow it at /v1/jobs/{job_id})"},
                        403: {"description": "staff/internal only"},
                        409: {"description": "a daily job is already running (JOB-1)"}})
async def daily(request: Request, ctx: CtxDep, as_of: date | None = None, wait: bool = WAIT) -> Any:
    """Run every time-driven credit rule for `as_of` (default today) as a job (202); one at a time (409 naming the
    running one, never a duplicate listing); idempotent, re-runnable for any day."""
    require_role(ctx.principal, "staff", "internal")
    app, day = request.app, as_of or ctx.today()

    async def work(_progress) -> DailyResult:
        async with app.state.sessionmaker() as session:
            result = await service.run(replace(ctx, session=session), day)
            await session.commit()
        return result

    return await app.state.jobs.run(request, "credit.daily", work, actor=ctx.actor, key="daily", wait=wait,
                                    params={"as_of": day.isoformat()}, transient_retries=TRANSIENT_RETRIES)


@router.get("/jobs/daily", response_model=list[RunRead], responses={403: {"description": "staff only"}})
async def runs(ctx: CtxDep, limit: Annotated[int, Query(ge=1, le=200)] = 20) -> list[RunRead]:
    """Past runs of the daily job."""
    return await service.runs(ctx, limit)
