from __future__ import annotations

from fastapi import APIRouter

from yishe_kit.context import OutboxDep, SettingsDep, TodayDep
from yishe_kit.db import SessionDep
from yishe_kit.principal import PrincipalDep

from ..contract.dependencies import ContractDep
from . import service
from .schemas import EvaluationCreate, EvaluationRead

router = APIRouter(prefix="/contracts/{contract_id}/evaluations", tags=["performance"])
ERRORS: dict = {400: {"description": "refused (PROC-8, PLAT-1)"}, 403: {"description": "wrong role / outside division"},
          404: {"description": "no such contract"}, 409: {"description": "contract not active"}}


@router.post("", response_model=EvaluationRead, status_code=201, responses=ERRORS)
async def evaluate_performance(contract: ContractDep, body: EvaluationCreate, session: SessionDep,
                               principal: PrincipalDep, today: TodayDep, settings: SettingsDep,
                               outbox: OutboxDep) -> EvaluationRead:
    """Record a performance evaluation (绩效评价); the result goes to the credit record (CR-4)."""
    return await service.evaluate(session, contract, body, principal, today, settings, outbox)


@router.get("", response_model=list[EvaluationRead], responses=ERRORS)
async def list_evaluations(contract: ContractDep, session: SessionDep) -> list[EvaluationRead]:
    """A contract's performance evaluations."""
    return await service.list_reads(session, contract.contract_id)
