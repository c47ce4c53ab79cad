"""EVAL-10 first-time grade rewards: the payable ledger, approval and payment."""

from __future__ import annotations

from fastapi import APIRouter

from yishe_kit.clock import ClockDep
from yishe_kit.db import SessionDep
from yishe_kit.principal import PrincipalDep

from ..deps import ERRORS, DivisionQuery, OutboxDep, SettingsDep
from . import service
from .schemas import RewardApprove, RewardClaim, RewardPay, RewardRead, RewardSummary

router = APIRouter(prefix="/rewards", tags=["reward"])


@router.get("", response_model=list[RewardRead], responses=ERRORS)
async def list_rewards(session: SessionDep, principal: PrincipalDep, division: DivisionQuery = None,
                       status: str | None = None, year: int | None = None) -> list[RewardRead]:
    """The ledger (`status`: payable / approved / paid; `year` of the award)."""
    return await service.ledger(session, principal, division, status, year)


@router.get("/summary", response_model=RewardSummary, responses=ERRORS)
async def get_reward_summary(session: SessionDep, principal: PrincipalDep, division: DivisionQuery = None,
                             year: int | None = None) -> RewardSummary:
    return await service.summary(session, principal, division, year)


@router.post("", response_model=RewardRead, status_code=201, responses=ERRORS)
async def claim_reward(body: RewardClaim, session: SessionDep, principal: PrincipalDep, clock: ClockDep,
                       outbox: OutboxDep, settings: SettingsDep) -> RewardRead:
    """Enter a reward for a grade on record; a level already rewarded → 409 (EVAL-10)."""
    return await service.claim(session, principal, body, clock=clock, outbox=outbox, settings=settings)


@router.post("/{reward_id}/approve", response_model=RewardRead, responses=ERRORS)
async def approve_reward(reward_id: int, body: RewardApprove, session: SessionDep, principal: PrincipalDep,
                         clock: ClockDep, outbox: OutboxDep) -> RewardRead:
    return await service.approve(session, principal, reward_id, body, clock=clock, outbox=outbox)


@router.post("/{reward_id}/pay", response_model=RewardRead, responses=ERRORS)
async def pay_reward(reward_id: int, body: RewardPay, session: SessionDep, principal: PrincipalDep, clock: ClockDep,
                     outbox: OutboxDep) -> RewardRead:
    return await service.pay(session, principal, reward_id, body, clock=clock, outbox=outbox)
