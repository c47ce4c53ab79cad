from __future__ import annotations

from fastapi import APIRouter

from ..context import CtxDep
from . import service
from .schemas import (
    InspectionRead,
    InspectorCreate,
    InspectorRead,
    PlanCheck,
    PlanCreate,
    PlanRead,
    Rectified,
    ResultIn,
)

router = APIRouter(tags=["inspection"])
ERRORS: dict = {400: {"description": "rule violated"}, 403: {"description": "role/division"},
                404: {"description": "none"},
          409: {"description": "conflict"}}


@router.post("/inspectors", response_model=InspectorRead, status_code=201, responses=ERRORS)
async def add_inspector(body: InspectorCreate, ctx: CtxDep) -> InspectorRead:
    """Add an officer to the inspector pool."""
    return InspectorRead.model_validate(await service.add_inspector(ctx, body), from_attributes=True)


@router.get("/inspectors", response_model=list[InspectorRead], responses=ERRORS)
async def list_inspectors(ctx: CtxDep) -> list[InspectorRead]:
    """The inspector pool (staff)."""
    return [InspectorRead.model_validate(i, from_attributes=True) for i in await service.inspectors(ctx)]


@router.post("/inspection-plans", response_model=PlanRead, status_code=201, responses=ERRORS)
async def create_plan(body: PlanCreate, ctx: CtxDep) -> PlanRead:
    """Draw organisations and inspectors at random (双随机), seed recorded."""
    plan = await service.create_plan(ctx, body)
    return await service.plan_view(ctx, plan.plan_id)


@router.get("/inspection-plans/{plan_id}", response_model=PlanRead, responses=ERRORS)
async def get_plan(plan_id: int, ctx: CtxDep) -> PlanRead:
    """A plan and its results, public (一公开)."""
    return await service.plan_view(ctx, plan_id)


@router.get("/inspection-plans/{plan_id}/check", response_model=PlanCheck, responses=ERRORS)
async def check_plan(plan_id: int, ctx: CtxDep) -> PlanCheck:
    """Re-draw from the recorded seed and population and compare."""
    return await service.check_plan(ctx, plan_id)


@router.post("/inspections/{inspection_id}/result", response_model=InspectionRead, responses=ERRORS)
async def record_result(inspection_id: int, body: ResultIn, ctx: CtxDep) -> InspectionRead:
    """Record an inspection result (into the credit record) and any rectification deadline."""
    return InspectionRead.model_validate(await service.record_result(ctx, inspection_id, body), from_attributes=True)


@router.post("/inspections/{inspection_id}/rectification", response_model=InspectionRead, responses=ERRORS)
async def record_rectified(inspection_id: int, body: Rectified, ctx: CtxDep) -> InspectionRead:
    """Record that the organisation rectified (cancels or ends CR-6.3)."""
    return InspectionRead.model_validate(await service.record_rectified(ctx, inspection_id, body),
                                         from_attributes=True)
