from __future__ import annotations

from datetime import date

from fastapi import APIRouter, Query

from yishe_kit.db import SessionDep
from yishe_kit.principal import PrincipalDep

from ..deps import ERRORS, SettingsDep
from . import service
from .schemas import BudgetReport

router = APIRouter(prefix="/funding", tags=["funding"])


@router.get("/budget", response_model=BudgetReport, responses=ERRORS)
async def get_budget(session: SessionDep, principal: PrincipalDep, settings: SettingsDep,
                     year: int = Query(ge=2000, le=2100), division: str | None = None,
                     reference_date: date | None = None) -> BudgetReport:
    """The year's Party-building budget by division: grants, per-member funds, allowances (PARTY-8..10)."""
    return await service.budget(session, principal, settings, year=year, division=division,
                                reference_date=reference_date)
