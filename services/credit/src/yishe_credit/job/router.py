from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query

from ..context import CtxDep
from . import service
from .schemas import DailyResult, RunRead

router = APIRouter(tags=["job"])


@router.post("/jobs/daily", response_model=DailyResult, responses={403: {"description": "staff/internal only"}})
async def daily(ctx: CtxDep, as_of: date | None = None) -> DailyResult:
    """Run every time-driven credit rule for `as_of` (default today); idempotent, re-runnable for any day."""
    return await service.run(ctx, as_of or ctx.today())


@router.get("/jobs/daily", response_model=list[RunRead], responses={403: {"description": "staff only"}})
async def runs(ctx: CtxDep, limit: Annotated[int, Query(ge=1, le=200)] = 20) -> list[RunRead]:
    """Past runs of the daily job."""
    return await service.runs(ctx, limit)
