from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel

from ..context import CtxDep

router = APIRouter(tags=["calendar"])


class WorkingDays(BaseModel):
    start: date
    working_days: int
    ends_on: date
    calendar_known: bool
    source: str


@router.get("/calendar/working-days", response_model=WorkingDays)
async def add_working_days(ctx: CtxDep, start: date, days: Annotated[int, Query(ge=0, le=366)]) -> WorkingDays:
    """The date `days` working days after `start` under the configured holiday table (CR-5, CR-10, CR-15)."""
    end = ctx.calendar.add_working_days(start, days)
    known = all(ctx.calendar.knows(y) for y in range(start.year, end.year + 1))
    sources = [ctx.calendar.years[y].source for y in range(start.year, end.year + 1) if ctx.calendar.knows(y)]
    return WorkingDays(start=start, working_days=days, ends_on=end, calendar_known=known,
                       source="；".join(sources) or "无节假日表：仅按周末计算")
