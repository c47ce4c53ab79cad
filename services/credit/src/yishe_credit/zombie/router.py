from __future__ import annotations

from datetime import date

from fastapi import APIRouter

from yishe_kit.access import require_role

from ..context import CtxDep
from . import service
from .schemas import Candidate, DecisionIn, DecisionRead

router = APIRouter(tags=["zombie"])
ERRORS: dict = {403: {"description": "role/division"}, 404: {"description": "none"},
          409: {"description": "not a candidate / already confirmed"}}


@router.get("/zombies/candidates", response_model=list[Candidate], responses=ERRORS)
async def zombie_candidates(ctx: CtxDep, as_of: date | None = None) -> list[Candidate]:
    """Zombie candidates with the evidence for each signal (staff)."""
    require_role(ctx.principal, "staff", "internal", "supervisor")
    return await service.candidates(ctx, as_of or ctx.today())


@router.post("/zombies/decisions", response_model=DecisionRead, status_code=201, responses=ERRORS)
async def zombie_decision(body: DecisionIn, ctx: CtxDep) -> DecisionRead:
    """The bureau's decision; confirmation emits credit.zombie.confirmed.v1 for simple deregistration."""
    return DecisionRead.model_validate(await service.decide(ctx, body), from_attributes=True)
