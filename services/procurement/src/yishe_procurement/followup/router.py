from __future__ import annotations

from datetime import date

from fastapi import APIRouter

from yishe_kit.context import SettingsDep, TodayDep
from yishe_kit.db import SessionDep
from yishe_kit.principal import PrincipalDep

from ..contract.dependencies import ContractDep
from . import service
from .schemas import FollowUpCreate, FollowUpRead, FollowUpSummary

router = APIRouter(tags=["followup"])
ERRORS: dict = {400: {"description": "refused (PLAT-1)"}, 403: {"description": "wrong role / outside division"},
          404: {"description": "no such contract"}, 409: {"description": "contract not active"}}


@router.post("/contracts/{contract_id}/follow-ups", response_model=FollowUpSummary, status_code=201,
             responses=ERRORS)
async def record_follow_up(contract: ContractDep, body: FollowUpCreate, session: SessionDep, principal: PrincipalDep,
                           today: TodayDep, settings: SettingsDep) -> FollowUpSummary:
    """Record a project follow-up (项目跟踪, PLAT-1)."""
    return await service.record(session, contract_id=contract.contract_id, contract_status=contract.status,
                                division_code=contract.division_code, period_start=contract.date_signed,
                                body=body, principal=principal, today=today, required=settings.min_follow_ups)


@router.get("/contracts/{contract_id}/follow-ups", response_model=FollowUpSummary, responses=ERRORS)
async def get_follow_ups(contract: ContractDep, session: SessionDep, today: TodayDep,
                         settings: SettingsDep) -> FollowUpSummary:
    """A contract's follow-ups: done, open and overdue against the PLAT-1 minimum."""
    return await service.summary(session, contract.contract_id, today, settings.min_follow_ups)


@router.get("/follow-ups/overdue", response_model=list[FollowUpRead], responses=ERRORS)
async def list_overdue_follow_ups(session: SessionDep, principal: PrincipalDep, today: TodayDep,
                                  as_of: date | None = None) -> list[FollowUpRead]:
    """Follow-ups past their due date and not done (PLAT-1)."""
    return await service.overdue(session, principal, as_of or today)
