from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query

from yishe_contracts.events.credit import CreditList

from ..context import CtxDep
from . import removal, service, views
from .schemas import (
    ApplicationRead,
    EntryPublic,
    EntryStaff,
    Exemption,
    ManualListing,
    ObligationPerformed,
    RemovalApply,
    RemovalCheck,
    RemovalDecision,
    TriggerRead,
)

router = APIRouter(tags=["listing"])
ERRORS: dict = {400: {"description": "rule violated (rule id in errors[].rule)"}, 403: {"description": "role/division"},
          404: {"description": "not found"},
          409: {"description": "refused by a rule, with the date it becomes possible"}}


@router.post("/listings", response_model=EntryStaff, status_code=201, responses=ERRORS)
async def create_listing(body: ManualListing, ctx: CtxDep) -> EntryStaff:
    """Staff list an organisation for a CR-6 / CR-12 case, with evidence (CR-14)."""
    entry = await service.list_manually(ctx, body)
    return await views.entry(ctx, entry.entry_id)


@router.get("/lists/{list_type}", response_model=list[EntryStaff] | list[EntryPublic], responses=ERRORS)
async def get_list(list_type: CreditList, ctx: CtxDep, include_removed: bool = False, division: str = "",
                   limit: Annotated[int, Query(ge=1, le=500)] = 100, offset: Annotated[int, Query(ge=0)] = 0):
    """活动异常名录 / 严重违法失信名单 as published (CR-14); staff see evidence and dates."""
    return await views.public_list(ctx, list_type.value, include_removed=include_removed, division=division,
                                   limit=limit, offset=offset)


@router.get("/listings/{entry_id}", response_model=EntryStaff | EntryPublic, responses=ERRORS)
async def get_listing(entry_id: int, ctx: CtxDep):
    """One list entry: public fields, or everything for staff and the organisation itself."""
    return await views.entry(ctx, entry_id)


@router.get("/listings/{entry_id}/removal-check", response_model=RemovalCheck, responses=ERRORS)
async def removal_check(entry_id: int, ctx: CtxDep, on: date | None = None) -> dict:
    """Whether the rules allow removal on a day, and from when (CR-10, CR-11, CR-13)."""
    return await removal.staff_remove_check(ctx, entry_id, on or ctx.today())


@router.post("/listings/{entry_id}/obligation", response_model=EntryStaff, responses=ERRORS)
async def obligation_performed(entry_id: int, body: ObligationPerformed, ctx: CtxDep) -> EntryStaff:
    """Staff record that the obligation behind the listing was performed (CR-10)."""
    entry = await service.record_obligation(ctx, entry_id, body.performed_on, body.evidence)
    return await views.entry(ctx, entry.entry_id)


@router.post("/listings/{entry_id}/removal-applications", response_model=ApplicationRead, status_code=201,
             responses=ERRORS)
async def apply_for_removal(entry_id: int, body: RemovalApply, ctx: CtxDep) -> ApplicationRead:
    """The organisation applies to leave a list; refused with the date when the rules do not allow it yet."""
    app = await removal.apply(ctx, entry_id, body)
    return ApplicationRead.model_validate(app, from_attributes=True)


@router.get("/removal-applications", response_model=list[ApplicationRead], responses=ERRORS)
async def list_applications(ctx: CtxDep, status: str | None = "pending") -> list[ApplicationRead]:
    """Removal applications awaiting verification (staff)."""
    return await views.applications(ctx, status)


@router.post("/removal-applications/{application_id}/decision", response_model=ApplicationRead, responses=ERRORS)
async def decide_application(application_id: int, body: RemovalDecision, ctx: CtxDep) -> ApplicationRead:
    """Staff verify an application; approval removes the entry (CR-10 / CR-13)."""
    app = await removal.decide(ctx, application_id, body)
    return ApplicationRead.model_validate(app, from_attributes=True)


@router.get("/triggers", response_model=list[TriggerRead], responses=ERRORS)
async def list_triggers(ctx: CtxDep, status: str | None = "pending", due_by: date | None = None) -> list[TriggerRead]:
    """Listing triggers waiting for the daily job (staff)."""
    return await views.triggers(ctx, status, due_by)


@router.post("/triggers/{trigger_id}/exemption", response_model=TriggerRead, responses=ERRORS)
async def exempt(trigger_id: int, body: Exemption, ctx: CtxDep) -> TriggerRead:
    """CR-8 (optional, off by default): exempt a pending trigger on a written certificate."""
    trigger = await service.exempt_trigger(ctx, trigger_id, body.evidence, body.exempted_on)
    return TriggerRead.model_validate(trigger, from_attributes=True)
