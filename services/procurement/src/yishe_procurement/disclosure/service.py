"""PROC-12: organisations receiving purchase money publish income/expenditure regularly and an audited report."""

from __future__ import annotations

import calendar
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from yishe_kit.access import jurisdiction_prefix, require_org_or_roles, require_role
from yishe_kit.clock import now
from yishe_kit.errors import Conflict, InvalidInput, NotFound, Problem
from yishe_kit.principal import Principal

from ..config import Settings
from .models import DisclosureObligation
from .schemas import DisclosurePublish, DisclosureRead


def _add_months(day: date, months: int) -> date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def plan(start: date, end: date, settings: Settings) -> list[tuple[str, str, date]]:
    """[P] income/expenditure every N months during the term and once after it; the audit report after the end."""
    items, k = [], 1
    while (due := _add_months(start, settings.disclosure_interval_months * k)) < end:
        items.append(("income_expenditure", f"资金收支情况（第{k}期）", due))
        k += 1
    items.append(("income_expenditure", "资金收支情况（结项）", end + timedelta(days=settings.disclosure_final_days)))
    items.append(("audit_report", "财务审计报告", end + timedelta(days=settings.audit_report_days)))
    return items


async def open_obligations(session: AsyncSession, *, contract_id: str, uscc: str, division_code: str, start: date,
                           end: date, settings: Settings) -> None:
    """PROC-12: the publication duties a signed contract brings."""
    session.add_all([DisclosureObligation(contract_id=contract_id, uscc=uscc, division_code=division_code, kind=kind,
                                          label=label, due_date=due, overdue=False)
                     for kind, label, due in plan(start, end, settings)])
    await session.flush()


def _read(o: DisclosureObligation, on: date) -> DisclosureRead:
    state = "published" if o.published_on else "overdue" if o.due_date < on else "open"
    return DisclosureRead(obligation_id=o.obligation_id, contract_id=o.contract_id, uscc=o.uscc, kind=o.kind,
                          label=o.label, due_date=o.due_date, published_on=o.published_on, channel=o.channel,
                          url=o.url, state=state)


async def for_contract(session: AsyncSession, contract_id: str, on: date) -> list[DisclosureRead]:
    rows = await session.scalars(select(DisclosureObligation).where(DisclosureObligation.contract_id == contract_id)
                                 .order_by(DisclosureObligation.due_date, DisclosureObligation.obligation_id))
    return [_read(o, on) for o in rows]


async def publish(session: AsyncSession, contract_id: str, obligation_id: int, body: DisclosurePublish,
                  principal: Principal, today: date) -> DisclosureRead:
    """The undertaker records where and when it published (PROC-12)."""
    row = await session.get(DisclosureObligation, obligation_id)
    if row is None or row.contract_id != contract_id:
        raise NotFound("disclosure_not_found", f"no disclosure obligation {obligation_id} on contract {contract_id}")
    require_org_or_roles(principal, row.uscc)
    if row.published_on is not None:
        raise Conflict("already_published", f"已于 {row.published_on} 公开; already published on {row.published_on}")
    if body.published_on > today:
        raise InvalidInput("published_on_future", "the publication date is in the future", [Problem(
            "published_on", "PROC-12", "公开日期不能晚于今天", "published_on may not be in the future")])
    row.published_on, row.channel, row.url, row.overdue, row.recorded_at = (body.published_on, body.channel, body.url,
                                                                            False, now())
    await session.flush()
    return _read(row, today)


async def overdue(session: AsyncSession, principal: Principal, on: date) -> list[DisclosureRead]:
    """PROC-12 obligations past due and not published, for staff of the division."""
    require_role(principal, "staff", "purchaser", "supervisor", "internal")
    query = select(DisclosureObligation).where(DisclosureObligation.published_on.is_(None),
                                               DisclosureObligation.due_date < on)
    if prefix := jurisdiction_prefix(principal):
        query = query.where(DisclosureObligation.division_code.startswith(prefix))
    return [_read(o, on) for o in await session.scalars(query.order_by(DisclosureObligation.due_date))]


async def mark_overdue(session: AsyncSession, on: date) -> tuple[list[int], list[int]]:
    """Daily job: flag unpublished obligations past due as of `on`, unflag those not yet due."""
    rows = list(await session.scalars(select(DisclosureObligation).where(DisclosureObligation.published_on.is_(None))))
    flagged, cleared = [], []
    for o in rows:
        late = o.due_date < on
        if late and not o.overdue:
            flagged.append(o.obligation_id)
        elif o.overdue and not late:
            cleared.append(o.obligation_id)
        o.overdue = late
    await session.flush()
    return flagged, cleared
