from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query

from yishe_kit.errors import NotFound, require_social_org_uscc

from ..context import CtxDep
from . import service
from .schemas import RiskScore

router = APIRouter(tags=["risk"])
ERRORS: dict = {403: {"description": "staff only"}, 404: {"description": "none"}}


@router.get("/risk", response_model=list[RiskScore], responses=ERRORS)
async def ranked(ctx: CtxDep, as_of: date | None = None, limit: Annotated[int, Query(ge=1, le=1000)] = 100,
                 warning_only: bool = False) -> list[RiskScore]:
    """Organisations ranked by risk score, each factor with its weight and rule (staff)."""
    rows = await service.scores(ctx, as_of or ctx.today())
    return [r for r in rows if r.warning or not warning_only][:limit]


@router.get("/risk/{uscc}", response_model=RiskScore, responses=ERRORS)
async def one(uscc: str, ctx: CtxDep, as_of: date | None = None) -> RiskScore:
    """One organisation's risk score and its factors (staff)."""
    rows = await service.scores(ctx, as_of or ctx.today(), require_social_org_uscc(uscc))
    if not rows:
        raise NotFound("risk_not_found", f"no active organisation {uscc} in your jurisdiction")
    return rows[0]
