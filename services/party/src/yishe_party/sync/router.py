from __future__ import annotations

from fastapi import APIRouter, Query

from yishe_kit.db import SessionDep
from yishe_kit.principal import PrincipalDep

from ..deps import ERRORS, SettingsDep
from . import indicator, service
from .schemas import ChecklistRead, EvaluationIndicator, SyncStepCreate, SyncStepRead

router = APIRouter(tags=["sync"])


@router.get("/records/{uscc}/sync-checklist", response_model=ChecklistRead, responses=ERRORS)
async def get_sync_checklist(uscc: str, session: SessionDep, principal: PrincipalDep) -> ChecklistRead:
    """Which synchronised steps are done: 三同步 (PARTY-5) and 六同步 (PARTY-6)."""
    return await service.checklist(session, uscc, principal)


@router.post("/records/{uscc}/sync-steps", status_code=201, response_model=SyncStepRead, responses=ERRORS)
async def record_sync_step(uscc: str, data: SyncStepCreate, session: SessionDep,
                           principal: PrincipalDep) -> SyncStepRead:
    """Record a spot check or training that included (or missed) Party building (六同步, PARTY-6)."""
    return await service.add_step(session, uscc, data, principal)


@router.get("/evaluation-indicators/{uscc}", response_model=EvaluationIndicator, responses=ERRORS)
async def get_evaluation_indicator(uscc: str, session: SessionDep, principal: PrincipalDep, settings: SettingsDep,
                                   evaluation_year: int | None = Query(default=None, ge=2000, le=2100),
                                   ) -> EvaluationIndicator:
    """The Party-building indicator for grade evaluation (PARTY-5); with `evaluation_year`, an evaluator's call is
    recorded as the indicator supplied to that evaluation (checklist step)."""
    return await indicator.indicator(session, uscc, principal, settings, evaluation_year=evaluation_year)
