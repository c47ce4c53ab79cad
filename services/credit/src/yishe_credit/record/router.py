from __future__ import annotations

from datetime import date

from fastapi import APIRouter

from ..context import CtxDep
from . import service
from .schemas import Category, RecordCreate, RecordCreated, RecordRead

router = APIRouter(tags=["record"])
ERRORS: dict = {400: {"description": "rule violated"}, 403: {"description": "role/division"},
                404: {"description": "none"}}


@router.post("/records", response_model=RecordCreated, status_code=201, responses=ERRORS)
async def create_record(body: RecordCreate, ctx: CtxDep) -> RecordCreated:
    """Staff enter a credit record (CR-4); penalties list the organisation where the rules say so."""
    record, changes = await service.create_by_staff(ctx, body)
    return RecordCreated(record=RecordRead.of(record, full=True), changes=changes)


@router.get("/profiles/{uscc}/records", response_model=list[RecordRead], responses=ERRORS)
async def list_records(uscc: str, ctx: CtxDep, category: Category | None = None) -> list[RecordRead]:
    """An organisation's credit record: public items (CR-14), everything for staff and the organisation."""
    return await service.list_for(ctx, uscc, category)


@router.get("/records/late", response_model=list[RecordRead], responses=ERRORS)
async def late_records(ctx: CtxDep, since: date | None = None) -> list[RecordRead]:
    """CR-5 alerts: items recorded later than 5 working days after they were formed."""
    return await service.late(ctx, since)
