"""The current credit state of organisations, gathered from every domain for the CODE-3 decision."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ..config import Settings
from ..dates import add_months, add_years
from .colour import Alert, CreditState
from .models import CreditProfile, EarlyWarning

PENDING_ALERTS = {  # a pending trigger warns until its listing day
    "CR-6.1": ("AR-1", "年度工作报告逾期未报"),
    "CR-6.2": ("CR-6.2", "应建未建党组织"),
    "CR-6.3": ("CR-6.3", "逾期未完成整改"),
}
REVOKED = {"certificate_revoked", "registration_cancelled"}


def valid_grade(profile: CreditProfile, as_of: date) -> str | None:
    if profile.grade and (profile.grade_valid_until is None or profile.grade_valid_until >= as_of):
        return profile.grade
    return None


def profile_alerts(p: CreditProfile, as_of: date, settings: Settings) -> list[Alert]:
    alerts = []
    months = settings.colour.downgrade_warning_months
    if p.grade_downgraded_on and as_of < (ends := add_months(p.grade_downgraded_on, months)):
        alerts.append(Alert("EVAL-7", f"近{months}个月内评估等级被降低", ends))
    if p.party_covered is False and not p.party_required:
        alerts.append(Alert("PARTY-3", "未建立党组织且未选派党建工作指导员"))
    return alerts


async def gather(session: AsyncSession, profiles: list[CreditProfile], as_of: date, settings: Settings
                 ) -> dict[str, CreditState]:
    """One CreditState per profile, with a handful of queries for the whole batch."""
    # Imported here: these domains call recolour() and so import this package.
    from ..complaint import service as complaint_service
    from ..listing import service as listing_service
    from ..mailing import service as mailing_service
    from ..objection import service as objection_service
    from ..record import service as record_service

    usccs = [p.uscc for p in profiles]
    lists = await listing_service.colour_inputs(session, usccs, settings)
    record_alerts = await record_service.alerts(session, usccs, as_of)
    mail_alerts = await mailing_service.alerts(session, usccs)
    objection_alerts = await objection_service.alerts(session, usccs)
    complaint_alerts = await complaint_service.alerts(session, usccs)
    since = add_years(as_of, -settings.colour.blue_penalty_free_years)
    penalised = await record_service.penalised_since(session, usccs, since, as_of)
    manual: dict[str, list[Alert]] = {}
    rows = await session.scalars(select(EarlyWarning).where(EarlyWarning.uscc.in_(usccs),
                                                            EarlyWarning.resolved_on.is_(None)))
    for w in rows:
        manual.setdefault(w.uscc, []).append(Alert(w.rule, w.reason))
    states = {}
    for p in profiles:
        li = lists.get(p.uscc, {"abnormal": [], "serious": [], "pending": []})
        alerts = [Alert(*PENDING_ALERTS.get(t.trigger, (t.trigger, "待列入名录")), t.due_on) for t in li["pending"]]
        alerts += record_alerts.get(p.uscc, []) + mail_alerts.get(p.uscc, []) + profile_alerts(p, as_of, settings)
        alerts += objection_alerts.get(p.uscc, []) + complaint_alerts.get(p.uscc, []) + manual.get(p.uscc, [])
        states[p.uscc] = CreditState(
            serious_listed=bool(li["serious"]), serious_reasons=tuple(li["serious"]),
            serious_until=li.get("serious_until"), abnormal_until=li.get("abnormal_until"),
            registration_revoked=p.registration_status in REVOKED, suspended=p.registration_status == "suspended",
            abnormal_listed=bool(li["abnormal"]), abnormal_reasons=tuple(li["abnormal"]),
            early_warnings=tuple(dict.fromkeys(alerts)), valid_grade=valid_grade(p, as_of),
            grade_until=p.grade_valid_until if valid_grade(p, as_of) else None,
            penalty_in_window=p.uscc in penalised,
        )
    return states
