"""Daily job: idempotent for the same day, re-runnable for past or future days; returns what it changed."""

from __future__ import annotations

from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession

from yishe_kit.principal import Principal

from ..common.access import require_role
from ..disclosure import service as disclosure_service
from ..followup import service as followup_service
from ..project import service as project_service
from .schemas import DailyResult


async def run_daily(session: AsyncSession, as_of: date, principal: Principal) -> DailyResult:
    """Close tenders past `tender_end`; flag follow-ups (PLAT-1) and disclosures (PROC-12) overdue as of the day."""
    require_role(principal, "staff", "internal")
    closed = []
    for project in await project_service.tenders_closing(session, as_of):
        await project_service.set_status(session, project, "evaluation")
        closed.append(project.project_id)
    f_flagged, f_cleared = await followup_service.mark_overdue(session, as_of)
    d_flagged, d_cleared = await disclosure_service.mark_overdue(session, as_of)
    return DailyResult(as_of=as_of, tenders_closed=closed, follow_ups_overdue=f_flagged, follow_ups_cleared=f_cleared,
                       disclosures_overdue=d_flagged, disclosures_cleared=d_cleared)
