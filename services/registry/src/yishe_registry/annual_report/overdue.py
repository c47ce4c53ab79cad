"""Daily job, AR-1/AR-5 → CR-6.1: reports not in (or not accepted) by the deadline are marked overdue once and
`registry.annual_report.overdue.v1` is emitted for credit."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import and_, select
from sqlalchemy.ext.asyncio import AsyncSession

from yishe_contracts.events.registry import AnnualReportOverdue
from yishe_kit.outbox import Outbox
from yishe_kit.principal import Principal

from ..config import RulesSettings
from ..organisation.models import Organisation, OrganisationHistory
from . import windows
from .models import AnnualReport

CHUNK = 5000
SYSTEM = Principal(actor="daily-job", role="internal")


def _accepted(status: str, first_instance: bool) -> bool:
    """AR-5: submitted but not through the supervisory unit's first instance counts as not reported."""
    return status in ("first_instance_passed", "reviewed") or (status == "submitted" and not first_instance)


async def mark_overdue(session: AsyncSession, as_of: date, outbox: Outbox, rules: RulesSettings) -> list[str]:
    """Reports on the previous year whose deadline has passed by `as_of`; idempotent for any `as_of`."""
    year = as_of.year - 1
    marked: list[str] = []
    cursor = ""
    while True:
        stmt = (select(Organisation.uscc, Organisation.org_type, Organisation.supervisory_unit, Organisation.category,
                       Organisation.community_class, Organisation.registration_date, AnnualReport)
                .outerjoin(AnnualReport, and_(AnnualReport.uscc == Organisation.uscc, AnnualReport.year == year))
                .where(Organisation.status.in_(("active", "suspended")), Organisation.uscc > cursor,
                       Organisation.registration_date <= date(year, 12, 31))
                .order_by(Organisation.uscc).limit(CHUNK))
        rows = (await session.execute(stmt)).all()
        if not rows:
            return marked
        cursor = rows[-1].uscc
        events, history, now = [], [], datetime.now(UTC)
        for uscc, org_type, sup, category, community, registered, report in rows:
            fi = windows.has_first_instance(org_type, sup, category, community)
            win = windows.window(org_type, fi, year, rules)
            if as_of <= win.deadline or not windows.due(org_type, registered, year, rules)[0]:
                continue
            if report is not None and (report.overdue_on is not None or _accepted(report.status, fi)):
                continue
            if report is None:
                session.add(AnnualReport(uscc=uscc, year=year, status="overdue", deadline=win.deadline,
                                         supervisor_deadline=win.supervisor_deadline, late=False, overdue_on=as_of))
            else:
                report.overdue_on = as_of
            history.append(OrganisationHistory(uscc=uscc, action="annual_report_overdue", actor=SYSTEM.actor,
                                               actor_role=SYSTEM.role, at=now, before=None,
                                               after={"year": year, "deadline": win.deadline.isoformat(),
                                                      "as_of": as_of.isoformat()},
                                               reason="未按规定报送年度工作报告（AR-1、AR-5）"))
            events.append(AnnualReportOverdue(uscc=uscc, year=year, deadline=win.deadline, as_of=as_of,
                                              rule="AR-5" if report is not None else "AR-1"))
            marked.append(uscc)
        session.add_all(history)
        await session.flush()
        await outbox.emit_many(session, events)
