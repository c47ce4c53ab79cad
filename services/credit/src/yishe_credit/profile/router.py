from __future__ import annotations

from fastapi import APIRouter

from ..context import CtxDep
from . import service, views
from .schemas import CreditProfileRead, WarningCreate, WarningRead, WarningResolve

router = APIRouter(tags=["profile"])


@router.get("/profiles/{uscc}", response_model=CreditProfileRead,
            responses={400: {"description": "malformed USCC"}, 404: {"description": "no profile"}})
async def get_profile(uscc: str, ctx: CtxDep) -> CreditProfileRead:
    """An organisation's credit profile: colour with rule and reason, lists, 信用中国 windows (CR-14, CODE-4)."""
    return await views.profile_view(ctx, uscc)


@router.post("/profiles/{uscc}/warnings", response_model=WarningRead, status_code=201,
             responses={400: {"description": "no evidence"}, 403: {"description": "staff"}, 404: {"description": ""}})
async def raise_warning(uscc: str, body: WarningCreate, ctx: CtxDep) -> WarningRead:
    """Staff raise an early warning (CODE-3 yellow) for a fact no event carries, e.g. REG-10."""
    w = await service.raise_warning(ctx, uscc, body.rule, body.reason, body.evidence, body.raised_on)
    return WarningRead.model_validate(w, from_attributes=True)


@router.post("/warnings/{warning_id}/resolution", response_model=WarningRead,
             responses={403: {"description": "staff"}, 404: {"description": ""}, 409: {"description": "resolved"}})
async def resolve_warning(warning_id: int, body: WarningResolve, ctx: CtxDep) -> WarningRead:
    """The condition behind a staff warning has gone."""
    w = await service.resolve_warning(ctx, warning_id, body.resolution, body.resolved_on)
    return WarningRead.model_validate(w, from_attributes=True)
