from __future__ import annotations

from fastapi import APIRouter

from ..context import CtxDep
from . import service
from .schemas import RepairApply, RepairDecision, WindowRead

router = APIRouter(tags=["publication"])
ERRORS: dict = {403: {"description": "role/division"}, 404: {"description": "none"},
          409: {"description": "refused by CR-17, with the date it becomes possible"}}


@router.get("/profiles/{uscc}/publication", response_model=list[WindowRead], responses=ERRORS)
async def windows(uscc: str, ctx: CtxDep) -> list[WindowRead]:
    """信用中国 publication windows of an organisation (CR-17), apart from its list status."""
    return await service.for_org(ctx, uscc)


@router.post("/publication-windows/{window_id}/repair", response_model=WindowRead, responses=ERRORS)
async def apply_repair(window_id: int, body: RepairApply, ctx: CtxDep) -> WindowRead:
    """The organisation applies for credit repair (信用修复, CR-17)."""
    return WindowRead.model_validate(await service.apply_repair(ctx, window_id, body), from_attributes=True)


@router.post("/publication-windows/{window_id}/repair-decision", response_model=WindowRead, responses=ERRORS)
async def decide_repair(window_id: int, body: RepairDecision, ctx: CtxDep) -> WindowRead:
    """Staff decide a credit-repair application (CR-17)."""
    return WindowRead.model_validate(await service.decide_repair(ctx, window_id, body), from_attributes=True)
