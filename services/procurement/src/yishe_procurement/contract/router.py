from __future__ import annotations

from fastapi import APIRouter

from yishe_kit.context import OutboxDep, SettingsDep, TodayDep
from yishe_kit.db import SessionDep
from yishe_kit.principal import PrincipalDep

from . import service
from .schemas import ContractCreate, ContractRead, ContractSummary, MilestoneMet, PaymentCreate

router = APIRouter(tags=["contract"])
ERRORS: dict = {400: {"description": "refused, with rule ids (PROC-7, PROC-8)"},
                403: {"description": "not the purchaser"},
          404: {"description": "no such project / contract / milestone"}, 409: {"description": "wrong state"}}


@router.post("/projects/{project_id}/contract", response_model=ContractRead, status_code=201, responses=ERRORS)
async def sign_contract(project_id: str, body: ContractCreate, session: SessionDep, principal: PrincipalDep,
                        today: TodayDep, settings: SettingsDep, outbox: OutboxDep) -> ContractRead:
    """Sign and publish the contract with the awarded organisation (PROC-7)."""
    return await service.sign(session, project_id, body, principal, today, settings, outbox)


@router.get("/contracts", response_model=list[ContractSummary])
async def list_contracts(session: SessionDep, uscc: str | None = None,
                         status: str | None = None) -> list[ContractSummary]:
    """Published contracts, newest first."""
    return [ContractSummary.model_validate(c, from_attributes=True)
            for c in await service.search(session, uscc=uscc, status=status)]


@router.get("/contracts/{contract_id}", response_model=ContractRead, responses=ERRORS)
async def get_contract(contract_id: str, session: SessionDep, today: TodayDep, settings: SettingsDep) -> ContractRead:
    """A published contract with milestones, payments, follow-ups (PLAT-1) and disclosures (PROC-12)."""
    return await service.read(session, contract_id, today, settings)


@router.post("/contracts/{contract_id}/milestones/{seq}/met", response_model=ContractRead, responses=ERRORS)
async def meet_milestone(contract_id: str, seq: int, body: MilestoneMet, session: SessionDep,
                         principal: PrincipalDep, today: TodayDep, settings: SettingsDep) -> ContractRead:
    """Confirm a milestone's service was delivered."""
    return await service.meet_milestone(session, contract_id, seq, body, principal, today, settings)


@router.post("/contracts/{contract_id}/payments", response_model=ContractRead, status_code=201, responses=ERRORS)
async def pay_contract(contract_id: str, body: PaymentCreate, session: SessionDep, principal: PrincipalDep,
                       today: TodayDep, settings: SettingsDep) -> ContractRead:
    """Record a payment to the undertaker for a met milestone."""
    return await service.pay(session, contract_id, body, principal, today, settings)
