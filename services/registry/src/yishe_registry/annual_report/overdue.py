"""Daily job, AR-1/AR-5 → CR-6.1: reports not in (or not accepted) by the deadline are marked overdue once and
`registry.annual_report.overdue.v1` is emitted for credit. A report is overdue from the day after its deadline,
whenever the job notices it (a late or missed run does not post-date it), and a run catches up on the reports of the
last `CATCH_UP_YEARS` years (a platform date moved years ahead, a job not run for a year)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

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
CATCH_UP_YEARS = 2
SYSTEM = Principal(actor="daily-job", role="internal")


def _accepted(status: str, first_instance: bool) -> bool:
    """AR-5: submitted but not through the supervisory unit's first instance counts as not reported."""
    return status in ("first_instance_passed", "reviewed") or (status == "submitted" and not first_instance)


async def mark_overdue(session: AsyncSession, as_of: date, outbox: Outbox, rules: RulesSettings) -> list[str]:
    """Reports on the previous years whose deadline has passed by `as_of`, each overdue from the day after its
    deadline; idempotent for any `as_of`."""
    marked: list[str] = []
    for year in range(as_of.year - CATCH_UP_YEARS, as_of.year):
        marked += await _mark_year(session, year, as_of, outbox, rules)
    return marked


async def _mark_year(session: AsyncSession, year: int, as_of: date, outbox: Outbox, rules: RulesSettings
                     ) -> list[str]:
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
            overdue_on = win.deadline + timedelta(days=1)  # the rule's day, not the job's
            if report is None:
                session.add(AnnualReport(uscc=uscc, year=year, status="overdue", deadline=win.deadline,
                                         supervisor_deadline=win.supervisor_deadline, late=False,
                                         overdue_on=overdue_on))
            else:
                report.overdue_on = overdue_on
            history.append(OrganisationHistory(uscc=uscc, action="annual_report_overdue", actor=SYSTEM.actor,
                                               actor_role=SYSTEM.role, at=now, before=None,
                                               after={"year": year, "deadline": win.deadline.isoformat(),
                                                      "as_of": overdue_on.isoformat()},
                                               reason="未按规定报送年度工作报告（AR-1、AR-5）"))
            events.append(AnnualReportOverdue(uscc=uscc, year=year, deadline=win.deadline, as_of=overdue_on,
                                              rule="AR-5" if report is not None else "AR-1"))
            marked.append(uscc)
        session.add_all(history)
        await session.flush()
        await outbox.emit_many(session, events)
