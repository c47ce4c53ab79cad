from __future__ import annotations

from datetime import date

from fastapi import APIRouter

from ..context import CtxDep
from . import service
from .schemas import Acceptance, Correction, ObjectionCreate, ObjectionRead, Verification

router = APIRouter(tags=["objection"])
ERRORS: dict = {400: {"description": "rule violated"}, 403: {"description": "role/division"},
                404: {"description": "none"},
          409: {"description": "wrong stage / duplicate"}}


@router.post("/objections", response_model=ObjectionRead, status_code=201, responses=ERRORS)
async def submit(body: ObjectionCreate, ctx: CtxDep) -> ObjectionRead:
    """The organisation objects to a list entry or a credit record (CR-15)."""
    return service.read(await service.submit(ctx, body), ctx.today())


@router.get("/objections", response_model=list[ObjectionRead], responses=ERRORS)
async def list_objections(ctx: CtxDep, status: str | None = None, overdue_on: date | None = None
                          ) -> list[ObjectionRead]:
    """Objections (staff); with `overdue_on`, only those past a CR-15 deadline on that day."""
    return await service.listing(ctx, status, overdue_on)


@router.get("/objections/{objection_id}", response_model=ObjectionRead, responses=ERRORS)
async def get_objection(objection_id: int, ctx: CtxDep) -> ObjectionRead:
    """One objection with its deadlines (staff, or the organisation itself)."""
    return await service.get(ctx, objection_id)


@router.post("/objections/{objection_id}/acceptance", response_model=ObjectionRead, responses=ERRORS)
async def accept(objection_id: int, body: Acceptance, ctx: CtxDep) -> ObjectionRead:
    """Accept or reject an objection (CR-15 step 1)."""
    return service.read(await service.accept(ctx, objection_id, body), ctx.today())


@router.post("/objections/{objection_id}/verification", response_model=ObjectionRead, responses=ERRORS)
async def verify(objection_id: int, body: Verification, ctx: CtxDep) -> ObjectionRead:
    """Record the verification finding (CR-15 step 2)."""
    return service.read(await service.verify(ctx, objection_id, body), ctx.today())


@router.post("/objections/{objection_id}/correction", response_model=ObjectionRead, responses=ERRORS)
async def correct(objection_id: int, body: Correction, ctx: CtxDep) -> ObjectionRead:
    """Correct the wrong information (CR-15 step 3)."""
    return service.read(await service.correct(ctx, objection_id, body), ctx.today())
