from __future__ import annotations

from datetime import date

from fastapi import APIRouter

from yishe_kit.context import TodayDep
from yishe_kit.db import SessionDep
from yishe_kit.principal import PrincipalDep

from ..contract.dependencies import ContractDep
from . import service
from .schemas import DisclosurePublish, DisclosureRead

router = APIRouter(tags=["disclosure"])
ERRORS: dict = {400: {"description": "refused (PROC-12)"}, 403: {"description": "not the undertaker / wrong role"},
          404: {"description": "no such contract / obligation"}, 409: {"description": "already published"}}


@router.get("/contracts/{contract_id}/disclosures", response_model=list[DisclosureRead], responses=ERRORS)
async def list_disclosures(contract: ContractDep, session: SessionDep, today: TodayDep) -> list[DisclosureRead]:
    """What the undertaker must publish for this contract (PROC-12) and what it has published."""
    return await service.for_contract(session, contract.contract_id, today)


@router.post("/contracts/{contract_id}/disclosures/{obligation_id}", response_model=DisclosureRead,
             responses=ERRORS)
async def publish_disclosure(contract: ContractDep, obligation_id: int, body: DisclosurePublish, session: SessionDep,
                             principal: PrincipalDep, today: TodayDep) -> DisclosureRead:
    """The undertaker records a publication (资金收支情况, 财务审计报告)."""
    return await service.publish(session, contract.contract_id, obligation_id, body, principal, today)


@router.get("/disclosures/overdue", response_model=list[DisclosureRead], responses=ERRORS)
async def list_overdue_disclosures(session: SessionDep, principal: PrincipalDep, today: TodayDep,
                                   as_of: date | None = None) -> list[DisclosureRead]:
    """PROC-12 obligations past due and not published."""
    return await service.overdue(session, principal, as_of or today)
