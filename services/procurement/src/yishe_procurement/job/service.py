"""Daily job: idempotent for the same day, re-runnable for any day that has come; returns what it changed.

`as_of` means "run the job as of that day": the rules are applied as they stood at the end of `as_of`. A day after
the business date has not come (a tender still open today must not be closed because a later day was asked for):
refused. To run the platform forward, move the platform date (`PUT /v1/platform/date`, development only)."""

from __future__ import annotations

from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession

from yishe_kit.access import require_role
from yishe_kit.errors import InvalidInput, Problem
from yishe_kit.principal import Principal

from ..disclosure import service as disclosure_service
from ..followup import service as followup_service
from ..project import service as project_service
from .schemas import DailyResult


async def run_daily(session: AsyncSession, as_of: date, principal: Principal, today: date) -> DailyResult:
    """Close tenders past `tender_end`; flag follow-ups (PLAT-1) and disclosures (PROC-12) overdue as of the day."""
    require_role(principal, "staff", "internal")
    require_day_come(as_of, today)
    closed = []
    for project in await project_service.tenders_closing(session, as_of):
        await project_service.set_status(session, project, "evaluation")
        closed.append(project.project_id)
    f_flagged, f_cleared = await followup_service.mark_overdue(session, as_of)
    d_flagged, d_cleared = await disclosure_service.mark_overdue(session, as_of)
    return DailyResult(as_of=as_of, tenders_closed=closed, follow_ups_overdue=f_flagged, follow_ups_cleared=f_cleared,
                       disclosures_overdue=d_flagged, disclosures_cleared=d_cleared)


def require_day_come(as_of: date, today: date) -> None:
    """`as_of` is a day that has come (a later one would close tenders still open)."""
    if as_of > today:
        raise InvalidInput("as_of_in_future", "as_of is after the business date", [Problem(
            "as_of", None, f"每日任务不能按尚未到来的日期（{as_of}）运行，今天是 {today}；如需推进时间请设置平台日期",
            f"the daily job cannot run as of a day that has not come ({as_of}; today is {today}); move the "
            "platform date instead")])
