"""PLAT-1: at least N (3) follow-ups per project cycle, due evenly over the contract period; overdue is visible."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from yishe_kit.access import jurisdiction_prefix, require_jurisdiction, require_role
from yishe_kit.clock import now
from yishe_kit.errors import Conflict, InvalidInput, Problem
from yishe_kit.principal import Principal

from .models import FollowUp
from .schemas import FollowUpCreate, FollowUpRead, FollowUpSummary


def due_dates(start: date, end: date, n: int) -> list[date]:
    """N follow-ups due at the end of each N-th of the period (the last on its end date)."""
    days = (end - start).days
    return [start + timedelta(days=round(days * k / n)) for k in range(1, n + 1)]


async def schedule(session: AsyncSession, *, contract_id: str, division_code: str, start: date, end: date,
                   n: int) -> None:
    """PLAT-1: schedule the minimum follow-ups when the contract is signed."""
    session.add_all([FollowUp(contract_id=contract_id, division_code=division_code, seq=k, due_date=d,
                              subcontracting_observed=False, overdue=False)
                     for k, d in enumerate(due_dates(start, end, n), start=1)])
    await session.flush()


def _state(f: FollowUp, on: date) -> str:
    return "done" if f.done_on else "overdue" if f.due_date < on else "open"


def _read(f: FollowUp, on: date) -> FollowUpRead:
    return FollowUpRead(follow_up_id=f.follow_up_id, contract_id=f.contract_id, seq=f.seq, due_date=f.due_date,
                        done_on=f.done_on, followed_by=f.followed_by, method=f.method, findings=f.findings,
                        progress_percent=f.progress_percent, subcontracting_observed=f.subcontracting_observed,
                        state=_state(f, on))


async def _for_contract(session: AsyncSession, contract_id: str) -> list[FollowUp]:
    return list(await session.scalars(select(FollowUp).where(FollowUp.contract_id == contract_id)
                                      .order_by(FollowUp.seq)))


async def record(session: AsyncSession, *, contract_id: str, contract_status: str, division_code: str,
                 period_start: date, body: FollowUpCreate, principal: Principal, today: date,
                 required: int) -> FollowUpSummary:
    """A follow-up fills the earliest open slot (or adds one); platform staff or the purchaser record it."""
    require_role(principal, "staff", "purchaser", "internal")
    require_jurisdiction(principal, division_code)
    if contract_status != "active":
        raise Conflict("contract_not_active", f"合同状态为 {contract_status}，不能再记录跟踪; the contract is "
                                              f"{contract_status}")
    if not period_start <= body.followed_on <= today:
        raise InvalidInput("followed_on_out_of_range", "the follow-up date is outside the contract period so far", [
            Problem("followed_on", "PLAT-1", "跟踪日期应在合同开始之后且不晚于今天",
                    "followed_on must be within the contract period and not in the future")])
    slots = await _for_contract(session, contract_id)
    slot = next((f for f in slots if f.done_on is None), None)
    if slot is None:
        slot = FollowUp(contract_id=contract_id, division_code=division_code, seq=len(slots) + 1,
                        due_date=body.followed_on, overdue=False)
        session.add(slot)
    slot.done_on, slot.followed_by, slot.method = body.followed_on, body.followed_by, body.method.value
    slot.findings, slot.progress_percent = body.findings, body.progress_percent
    slot.subcontracting_observed, slot.overdue, slot.recorded_at = body.subcontracting_observed, False, now()
    await session.flush()
    return await summary(session, contract_id, today, required)


async def summary(session: AsyncSession, contract_id: str, on: date, required: int) -> FollowUpSummary:
    items = [_read(f, on) for f in await _for_contract(session, contract_id)]
    done = sum(1 for i in items if i.state == "done")
    return FollowUpSummary(required=required, done=done, overdue=sum(1 for i in items if i.state == "overdue"),
                           meets_minimum=done >= required,
                           subcontracting_reported=any(i.subcontracting_observed for i in items), items=items)


async def done_count(session: AsyncSession, contract_id: str) -> int:
    return await session.scalar(select(func.count()).select_from(FollowUp).where(
        FollowUp.contract_id == contract_id, FollowUp.done_on.is_not(None))) or 0


async def overdue(session: AsyncSession, principal: Principal, on: date) -> list[FollowUpRead]:
    """PLAT-1: follow-ups not done by their due date, for staff and purchasers of the division."""
    require_role(principal, "staff", "purchaser", "supervisor", "internal")
    query = select(FollowUp).where(FollowUp.done_on.is_(None), FollowUp.due_date < on)
    if prefix := jurisdiction_prefix(principal):
        query = query.where(FollowUp.division_code.startswith(prefix))
    return [_read(f, on) for f in await session.scalars(query.order_by(FollowUp.due_date))]


async def mark_overdue(session: AsyncSession, on: date) -> tuple[list[int], list[int]]:
    """Daily job: flag open follow-ups past due as of `on`, unflag those not (yet) due; returns (flagged, cleared)."""
    rows = list(await session.scalars(select(FollowUp).where(FollowUp.done_on.is_(None))))
    flagged, cleared = [], []
    for f in rows:
        late = f.due_date < on
        if late and not f.overdue:
            flagged.append(f.follow_up_id)
        elif f.overdue and not late:
            cleared.append(f.follow_up_id)
        f.overdue = late
    await session.flush()
    return flagged, cleared
