from __future__ import annotations

from fastapi import APIRouter, Request

from yishe_kit.context import OutboxDep, SettingsDep, TodayDep
from yishe_kit.db import SessionDep
from yishe_kit.principal import PrincipalDep

from . import service
from .schemas import BidCreate, BidRead, RefusedBidRead

router = APIRouter(tags=["bid"])
ERRORS: dict = {400: {"description": "refused: ineligible (PROC-4), over budget (PROC-6), subcontracting (PROC-8)"},
          403: {"description": "not the organisation itself"}, 404: {"description": "no such project or bid"},
          409: {"description": "tender closed / already bid"}}


@router.post("/projects/{project_id}/bids", response_model=BidRead, status_code=201, responses=ERRORS)
async def submit_bid(project_id: str, body: BidCreate, session: SessionDep, principal: PrincipalDep,
                     today: TodayDep, settings: SettingsDep, outbox: OutboxDep, request: Request) -> BidRead:
    """An organisation bids; its PROC-4 eligibility on the bid date is checked and frozen into the bid (or into the
    stored refusal, `GET /refused-bids/{refusal_id}`, when refused)."""
    return await service.submit(session, project_id, body, principal, today, settings, request.app.state.sessionmaker,
                                outbox)


@router.get("/projects/{project_id}/bids", response_model=list[BidRead], responses=ERRORS)
async def list_bids(project_id: str, session: SessionDep, principal: PrincipalDep) -> list[BidRead]:
    """A project's bids (purchasers, staff, supervisors)."""
    return await service.list_for_project(session, project_id, principal)


@router.get("/bids/{bid_id}", response_model=BidRead, responses=ERRORS)
async def get_bid(bid_id: str, session: SessionDep, principal: PrincipalDep) -> BidRead:
    """One bid with its frozen eligibility evidence."""
    return await service.read(session, bid_id, principal)


@router.post("/bids/{bid_id}/withdraw", response_model=BidRead, responses=ERRORS)
async def withdraw_bid(bid_id: str, session: SessionDep, principal: PrincipalDep, today: TodayDep) -> BidRead:
    """Withdraw one's own bid while the tender is open."""
    return await service.withdraw(session, bid_id, principal, today)


@router.get("/refused-bids/{refusal_id}", response_model=RefusedBidRead, responses=ERRORS)
async def get_refused_bid(refusal_id: str, session: SessionDep, principal: PrincipalDep) -> RefusedBidRead:
    """Why a bid was refused (the bidder's own account, staff, internal): failed rules and frozen PROC-4 evidence."""
    return await service.refusal(session, refusal_id, principal)


@router.get("/refused-bids", response_model=list[RefusedBidRead], responses=ERRORS)
async def list_refused_bids(session: SessionDep, principal: PrincipalDep, uscc: str | None = None,
                            project_id: str | None = None) -> list[RefusedBidRead]:
    """Refused bids: an organisation's own; staff and internal within their jurisdiction."""
    return await service.refusals(session, principal, uscc=uscc, project_id=project_id)
