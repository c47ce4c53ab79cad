from __future__ import annotations

from fastapi import APIRouter
from pydantic import Field

from ..context import CtxDep
from ..record.schemas import Change
from . import service
from .schemas import Assignment, ComplaintCreate, ComplaintRead, ComplaintTracking, Outcome, Triage

router = APIRouter(tags=["complaint"])
ERRORS: dict = {400: {"description": "rule violated"}, 403: {"description": "role/division"},
                404: {"description": "none"},
          409: {"description": "wrong stage"}}


class Closed(ComplaintRead):
    changes: list[Change] = Field(default_factory=list)


@router.post("/complaints", response_model=ComplaintTracking, status_code=201, responses=ERRORS)
async def receive(body: ComplaintCreate, ctx: CtxDep) -> ComplaintTracking:
    """Public intake of a complaint or report (anonymous allowed); answers a tracking code."""
    return service.tracking(await service.receive(ctx, body))


@router.get("/complaints/track/{code}", response_model=ComplaintTracking, responses=ERRORS)
async def track(code: str, ctx: CtxDep) -> ComplaintTracking:
    """Status of a complaint by its tracking code (no personal data)."""
    return await service.track(ctx, code)


@router.get("/complaints", response_model=list[ComplaintRead], responses=ERRORS)
async def list_complaints(ctx: CtxDep, status: str | None = None, kind: str | None = None) -> list[ComplaintRead]:
    """Complaints and reports (staff; phone numbers masked)."""
    return await service.listing(ctx, status, kind)


@router.get("/complaints/{complaint_id}", response_model=ComplaintRead, responses=ERRORS)
async def get_complaint(complaint_id: int, ctx: CtxDep) -> ComplaintRead:
    """One complaint (staff)."""
    return await service.get(ctx, complaint_id)


@router.post("/complaints/{complaint_id}/triage", response_model=ComplaintRead, responses=ERRORS)
async def triage(complaint_id: int, body: Triage, ctx: CtxDep) -> ComplaintRead:
    """Accept or reject; acceptance sets the handling deadline."""
    return service.staff_read(await service.triage(ctx, complaint_id, body), ctx.today())


@router.post("/complaints/{complaint_id}/assignment", response_model=ComplaintRead, responses=ERRORS)
async def assign(complaint_id: int, body: Assignment, ctx: CtxDep) -> ComplaintRead:
    """Assign an accepted complaint to a handler."""
    return service.staff_read(await service.assign(ctx, complaint_id, body), ctx.today())


@router.post("/complaints/{complaint_id}/outcome", response_model=Closed, responses=ERRORS)
async def outcome(complaint_id: int, body: Outcome, ctx: CtxDep) -> Closed:
    """Close with the finding and reward flag; a finding may create a credit record (and a listing)."""
    c, changes = await service.close(ctx, complaint_id, body)
    return Closed(**service.staff_read(c, ctx.today()).model_dump(), changes=changes)
