"""Bids: PROC-4 eligibility on the bid date, frozen into the bid; budget cap (PROC-6); no subcontracting (PROC-8)."""

from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from yishe_kit.db import flush_or_conflict
from yishe_kit.errors import Conflict, Forbidden, InvalidInput, NotFound, Problem, require_social_org_uscc
from yishe_kit.principal import Principal

from ..bidder import service as bidder_service
from ..common.access import can_see_all, require_division, require_own_org
from ..common.clock import now
from ..config import Settings
from ..project import service as project_service
from .models import Bid
from .schemas import BidCreate, BidRead


async def submit(session: AsyncSession, project_id: str, body: BidCreate, principal: Principal, today: date,
                 settings: Settings) -> BidRead:
    """PROC-4: an ineligible organisation is refused with every failed condition; the evidence is frozen."""
    project = await project_service.get(session, project_id)
    require_social_org_uscc(body.uscc)
    require_own_org(principal, body.uscc)
    if project.status != "tender" or today > project.tender_end:
        raise Conflict("tender_closed", f"项目未处于招标期（截止 {project.tender_end}）; the project is not open for "
                                        f"bids (status {project.status}, tender_end {project.tender_end})")
    problems = []
    if body.subcontractors:
        problems.append(Problem("subcontractors", "PROC-8", "承接主体不得转包", "the undertaker may not subcontract"))
    if body.amount > project.budget_amount:
        problems.append(Problem("amount", "PROC-6", f"报价超过项目预算 {project.budget_amount} 元",
                                f"the bid exceeds the budget of {project.budget_amount} yuan"))
    if problems:
        raise InvalidInput("bid_refused", "the bid is refused", problems)
    existing = await session.scalar(select(Bid).where(Bid.project_id == project_id, Bid.uscc == body.uscc))
    if existing is not None:
        raise Conflict("bid_exists", f"该组织已对本项目投标; {body.uscc} already bid on this project "
                                     f"({existing.bid_id}, {existing.status})")
    result = await bidder_service.eligibility_on(session, body.uscc, today, settings)
    if not result.eligible:
        raise InvalidInput("bidder_ineligible", "the organisation does not meet the undertaker conditions (PROC-4)",
                           [Problem("uscc", c.rule, c.message_zh, c.message) for c in result.conditions if not c.met])
    bid = Bid(bid_id=str(uuid.uuid4()), project_id=project_id, uscc=body.uscc,
              org_name=result.facts.get("name") or body.uscc, amount=body.amount, proposal=body.proposal,
              bid_date=today, submitted_at=now(), evidence=result.model_dump(mode="json"),
              preferred=result.preference.preferred, status="submitted")
    session.add(bid)
    await flush_or_conflict(session, "bid_exists", f"该组织已对本项目投标; {body.uscc} already bid on this project")
    return BidRead.model_validate(bid, from_attributes=True)


async def withdraw(session: AsyncSession, bid_id: str, principal: Principal, today: date) -> BidRead:
    """An organisation may withdraw its own bid while the tender is open."""
    bid = await get(session, bid_id)
    require_own_org(principal, bid.uscc)
    project = await project_service.get(session, bid.project_id)
    if bid.status != "submitted" or project.status != "tender" or today > project.tender_end:
        raise Conflict("bid_not_withdrawable", "投标已不能撤回; the bid can no longer be withdrawn")
    bid.status, bid.withdrawn_at = "withdrawn", now()
    await session.flush()
    return BidRead.model_validate(bid, from_attributes=True)


async def get(session: AsyncSession, bid_id: str) -> Bid:
    bid = await session.get(Bid, bid_id)
    if bid is None:
        raise NotFound("bid_not_found", f"no bid {bid_id}")
    return bid


async def read(session: AsyncSession, bid_id: str, principal: Principal) -> BidRead:
    """A bid for its organisation, purchasers, staff and supervisors."""
    bid = await get(session, bid_id)
    if not (can_see_all(principal) or (principal.role == "org" and principal.actor == bid.uscc)):
        raise Forbidden("bid_not_visible", "投标文件仅投标人及采购、监管人员可见; a bid is visible to its "
                                           "organisation, purchasers, staff and supervisors only")
    return BidRead.model_validate(bid, from_attributes=True)


async def for_project(session: AsyncSession, project_id: str, *, active_only: bool = False) -> list[Bid]:
    query = select(Bid).where(Bid.project_id == project_id)
    if active_only:
        query = query.where(Bid.status != "withdrawn")
    return list(await session.scalars(query.order_by(Bid.submitted_at)))


async def list_for_project(session: AsyncSession, project_id: str, principal: Principal) -> list[BidRead]:
    """A project's bids, for purchasers, staff and supervisors."""
    project = await project_service.get(session, project_id)
    if not can_see_all(principal):
        raise Forbidden("bids_not_visible", "投标列表仅采购、监管人员可见; bids are visible to purchasers, staff and "
                                            "supervisors only")
    require_division(principal, project.division_code)
    return [BidRead.model_validate(b, from_attributes=True) for b in await for_project(session, project_id)]


async def settle(session: AsyncSession, bids: list[Bid], winner_id: str) -> None:
    """At award: the winner is awarded, every other active bid unsuccessful."""
    for b in bids:
        if b.status == "submitted":
            b.status = "awarded" if b.bid_id == winner_id else "unsuccessful"
    await session.flush()
