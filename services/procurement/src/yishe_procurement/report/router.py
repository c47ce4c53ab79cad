from __future__ import annotations

from fastapi import APIRouter

from yishe_kit.context import SettingsDep
from yishe_kit.db import SessionDep
from yishe_kit.principal import PrincipalDep

from . import service
from .schemas import GroupBy, PurchaseRecordCreate, PurchaseRecordRead, SharesReport

router = APIRouter(tags=["report"])
ERRORS: dict = {400: {"description": "malformed code"}, 403: {"description": "wrong role / outside division"}}


@router.post("/purchase-records", response_model=PurchaseRecordRead, status_code=201, responses=ERRORS)
async def create_purchase_record(body: PurchaseRecordCreate, session: SessionDep,
                                 principal: PrincipalDep) -> PurchaseRecordRead:
    """Record a purchase-of-services contract made outside the platform (for the share denominators)."""
    return await service.record_external(session, body, principal)


@router.get("/reports/shares", response_model=SharesReport, responses=ERRORS)
async def get_shares(session: SessionDep, principal: PrincipalDep, settings: SettingsDep, year: int | None = None,
                     division_code: str | None = None, group_by: GroupBy = GroupBy.DEPARTMENT) -> SharesReport:
    """Shares of new public-service purchase spending bought from social organisations (PROC-9, PROC-10)."""
    return await service.shares(session, principal, year=year, division_code=division_code, group_by=group_by,
                                settings=settings)
