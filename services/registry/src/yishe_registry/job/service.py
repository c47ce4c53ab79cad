"""Runs each domain's time-driven rule for one day."""

from __future__ import annotations

from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession

from yishe_kit.access import require_role
from yishe_kit.outbox import Outbox
from yishe_kit.principal import Principal

from ..annual_report import overdue as annual_report_overdue
from ..application import service as application_service
from ..config import RulesSettings
from ..disclosure import service as disclosure_service
from ..grade import service as grade_service
from ..lifecycle import service as lifecycle_service
from ..name import service as name_service
from ..qualification import service as qualification_service
from .schemas import Changed, DailyResult


def _changed(ids: list) -> Changed:
    return Changed(count=len(ids), sample=[str(i) for i in ids[:100]])


async def run_daily(session: AsyncSession, as_of: date, principal: Principal, outbox: Outbox,
                    rules: RulesSettings) -> DailyResult:
    """JOB-1 [P]: one transaction per run; what it changed is returned, a second run for the same day changes
    nothing."""
    require_role(principal, "staff", "internal", action_zh="运行每日任务", action_en="run the daily job")
    return DailyResult(
        as_of=as_of,
        annual_reports_overdue=_changed(await annual_report_overdue.mark_overdue(session, as_of, outbox, rules)),
        grades_expired=_changed(await grade_service.expire(session, as_of, outbox)),
        qualifications_expired=_changed(await qualification_service.expire(session, as_of, outbox)),
        name_reservations_expired=_changed(await name_service.expire(session, as_of, outbox)),
        applications_overdue=_changed(await application_service.mark_overdue(session, as_of, outbox)),
        suspensions_ended=_changed(await lifecycle_service.suspensions_ended(session, as_of)),
        disclosures_missing=_changed(await disclosure_service.mark_missing(session, as_of, outbox)),
    )
