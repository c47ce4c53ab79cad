from __future__ import annotations

from datetime import date

from fastapi import APIRouter

from ..context import CtxDep
from . import service
from .schemas import HealthyShare

router = APIRouter(tags=["indicator"])


@router.get("/indicators/healthy-share", response_model=HealthyShare, responses={403: {"description": "staff"}})
async def healthy_share(ctx: CtxDep, as_of: date | None = None) -> HealthyShare:
    """CR-20: share of organisations with sound governance and no bad credit record, by division, vs targets."""
    return await service.healthy_share(ctx, as_of or ctx.today())
