"""Bids: PROC-4 eligibility on the bid date, frozen into the bid; budget cap (PROC-6); no subcontracting (PROC-8)."""

from __future__ import annotations

import uuid
from datetime import date
from typing import NoReturn

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from yishe_contracts.events.procurement import BidRefused, BidSubmitted, RefusalReason
from yishe_kit.access import jurisdiction_prefix, require_jurisdiction, require_org_or_roles, require_role
from yishe_kit.clock import now
from yishe_kit.db import flush_or_conflict
from yishe_kit.errors import Conflict, Forbidden, InvalidInput, NotFound, Problem, require_social_org_uscc
from yishe_kit.outbox import Outbox
from yishe_kit.principal import Principal

from ..bidder import service as bidder_service
from ..common.roles import can_see_all
from ..config import Settings
from ..project import service as project_service
from .models import Bid, RefusedBid
from .schemas import BidCreate, BidRead, RefusedBidRead


async def submit(session: AsyncSession, project_id: str, body: BidCreate, principal: Principal, today: date,
                 settings: Settings, refusals: async_sessionmaker[AsyncSession], outbox: Outbox) -> BidRead:
    """PROC-4: an ineligible organisation is refused with every failed condition; the evidence is frozen, into the
    bid or, when refused (PROC-4/6/8), into a stored refusal the bidder and staff can read (issue 13). Either way an
    event dated by the bid date says so (CODE-5: the profile as effective on that day shows it)."""
    project = await project_service.get(session, project_id)
    require_social_org_uscc(body.uscc)
    require_org_or_roles(principal, body.uscc)
    if project.status != "tender" or today > project.tender_end:
        raise Conflict("tender_closed", f"项目未处于招标期（截止 {project.tender_end}）; the project is not open for "
                                        f"bids (status {project.status}, tender_end {project.tender_end})")
    existing = await session.scalar(select(Bid).where(Bid.project_id == project_id, Bid.uscc == body.uscc))
    if existing is not None:
        raise Conflict("bid_exists", f"该组织已对本项目投标; {body.uscc} already bid on this project "
                                     f"({existing.bid_id}, {existing.status})")
    result = await bidder_service.eligibility_on(session, body.uscc, today, settings)
    problems = []
    if body.subcontractors:
        problems.append(Problem("subcontractors", "PROC-8", "承接主体不得转包", "the undertaker may not subcontract"))
    if body.amount > project.budget_amount:
        problems.append(Problem("amount", "PROC-6", f"报价超过项目预算 {project.budget_amount} 元",
                                f"the bid exceeds the budget of {project.budget_amount} yuan"))
    if problems:
        await _refuse(refusals, outbox, project, body, today, result, "bid_refused", "the bid is refused", problems)
    if not result.eligible:
        await _refuse(refusals, outbox, project, body, today, result, "bidder_ineligible",
                      "the organisation does not meet the undertaker conditions (PROC-4)",
                      [Problem("uscc", c.rule, c.message_zh, c.message) for c in result.conditions if not c.met])
    bid = Bid(bid_id=str(uuid.uuid4()), project_id=project_id, uscc=body.uscc,
              org_name=result.facts.get("name") or body.uscc, amount=body.amount, proposal=body.proposal,
              bid_date=today, submitted_at=now(), evidence=result.model_dump(mode="json"),
              preferred=result.preference.preferred, status="submitted")
    session.add(bid)
    await flush_or_conflict(session, "bid_exists", f"该组织已对本项目投标; {body.uscc} already bid on this project")
    await outbox.emit(session, BidSubmitted(
        uscc=bid.uscc, bid_id=bid.bid_id, project_id=project_id, ocid=project.ocid, title=project.title,
        amount=bid.amount, preferred=bid.preferred, bid_date=bid.bid_date))
    return BidRead.model_validate(bid, from_attributes=True)


async def _refuse(refusals: async_sessionmaker[AsyncSession], outbox: Outbox, project, body: BidCreate, today: date,
                  result, code: str, detail: str, problems: list[Problem]) -> NoReturn:
    """Store the refusal with the eligibility as evaluated now, and its event, in their own transaction (the
    request's rolls back with the 400), then refuse naming it."""
    refusal = RefusedBid(
        refusal_id=str(uuid.uuid4()), project_id=project.project_id, division_code=project.division_code,
        uscc=body.uscc, org_name=result.facts.get("name") or body.uscc, amount=body.amount, bid_date=today,
        refused_at=now(), code=code, problems=[p.as_dict() for p in problems], evidence=result.model_dump(mode="json"))
    async with refusals() as own, own.begin():
        own.add(refusal)
        await outbox.emit(own, BidRefused(
            uscc=refusal.uscc, refusal_id=refusal.refusal_id, project_id=project.project_id, ocid=project.ocid,
            title=project.title, amount=refusal.amount, code=code, bid_date=today,
            reasons=_reasons(code, problems, result)))
    err = InvalidInput(code, f"{detail}; stored as refusal {refusal.refusal_id} "
                             f"(GET /v1/refused-bids/{refusal.refusal_id})", problems)
    rid = refusal.refusal_id
    err.detail_zh = (f"投标未被接受，拒绝记录 {rid} 已留存（GET /v1/refused-bids/{rid}）："
                     + "；".join(p.message_zh for p in problems))
    raise err


def _reasons(code: str, problems: list[Problem], result) -> list[RefusalReason]:
    """The refusal's reasons for its event: PROC-4's failed conditions with their codes, else the problems."""
    if code == "bidder_ineligible":
        return [RefusalReason(field="uscc", rule=c.rule, code=c.code, message_zh=c.message_zh, message=c.message)
                for c in result.conditions if not c.met]
    return [RefusalReason(field=p.field, rule=p.rule, message_zh=p.message_zh, message=p.message_en)
            for p in problems]


async def withdraw(session: AsyncSession, bid_id: str, principal: Principal, today: date) -> BidRead:
    """An organisation may withdraw its own bid while the tender is open."""
    bid = await get(session, bid_id)
    require_org_or_roles(principal, bid.uscc)
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
    require_jurisdiction(principal, project.division_code)
    return [BidRead.model_validate(b, from_attributes=True) for b in await for_project(session, project_id)]


async def settle(session: AsyncSession, bids: list[Bid], winner_id: str) -> None:
    """At award: the winner is awarded, every other active bid unsuccessful."""
    for b in bids:
        if b.status == "submitted":
            b.status = "awarded" if b.bid_id == winner_id else "unsuccessful"
    await session.flush()


async def refusal(session: AsyncSession, refusal_id: str, principal: Principal) -> RefusedBidRead:
    """Why a bid was refused: for the bidder's own account and staff (within their jurisdiction) only."""
    row = await session.get(RefusedBid, refusal_id)
    if row is None:
        raise NotFound("refusal_not_found", f"no refused bid {refusal_id}")
    require_org_or_roles(principal, row.uscc, "staff", "internal", action_zh="查看投标被拒原因",
                         action_en="read why a bid was refused")
    require_jurisdiction(principal, row.division_code)
    return RefusedBidRead.model_validate(row, from_attributes=True)


async def refusals(session: AsyncSession, principal: Principal, *, uscc: str | None,
                   project_id: str | None) -> list[RefusedBidRead]:
    """Refused bids: an organisation sees its own; staff those in their jurisdiction (by project or organisation)."""
    if principal.role == "org":
        uscc = principal.actor
    else:
        require_role(principal, "staff", "internal", action_zh="查看被拒投标", action_en="list refused bids")
    query = select(RefusedBid)
    if uscc:
        query = query.where(RefusedBid.uscc == uscc)
    if project_id:
        query = query.where(RefusedBid.project_id == project_id)
    if prefix := jurisdiction_prefix(principal):
        query = query.where(RefusedBid.division_code.startswith(prefix))
    rows = await session.scalars(query.order_by(RefusedBid.refused_at))
    return [RefusedBidRead.model_validate(r, from_attributes=True) for r in rows]
