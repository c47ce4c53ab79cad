"""Daily job: capture tasks overdue (PARTY-5), pending instructors sent (PARTY-3), coverage flags (PARTY-5, CR-6.2)."""

from __future__ import annotations

from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession

from yishe_kit import clock
from yishe_kit.access import require_role
from yishe_kit.outbox import Outbox
from yishe_kit.principal import Principal

from ..config import Settings
from ..coverage import service as coverage_service
from ..record import service as record_service
from ..talent import service as talent_service
from .schemas import DailyRunRead, InstructorAssigned


async def run_daily(session: AsyncSession, principal: Principal, *, as_of: date, outbox: Outbox,
                    settings: Settings) -> DailyRunRead:
    """Everything time-driven for `as_of`; the same day again changes nothing, and no day undoes a later one."""
    require_role(principal, "staff", "internal", action_zh="运行每日任务")
    records = [r for r in await record_service.in_division(session, "")
               if (r.registration_date or clock.business_date(r.opened_at)) <= as_of]
    overdue = record_service.mark_capture_overdue(records, as_of)
    assigned = []
    for record in records:
        if record_service.is_active(record, as_of) and record.work_covers == 0 and record.party_org_id is None:
            cover = await talent_service.auto_assign(session, record, on=as_of, settings=settings,
                                                     actor="system:daily")
            if cover is not None and cover.talent_id is not None:
                assigned.append(InstructorAssigned(uscc=record.uscc, talent_id=cover.talent_id))
    changes = await coverage_service.flag_uncovered(session, as_of=as_of, outbox=outbox, settings=settings)
    await session.flush()
    return DailyRunRead(as_of=as_of, capture_overdue=overdue, instructors_assigned=assigned, coverage_changes=changes)
