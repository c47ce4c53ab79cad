from __future__ import annotations

from fastapi import APIRouter, Query

from yishe_kit.principal import PrincipalDep

from ..deps import RulesDep, SessionDep, TodayDep
from . import service
from .schemas import Decision, GraduateApplication, Ledger, SubsidyRead, TrainingApplication

router = APIRouter(prefix="/organisations/{uscc}/subsidies", tags=["subsidy"])
_errors: dict = {400: {"description": "SUB-1 window, SUB-2 13th month, SUB-3 not contributed, SUB-4 month already "
                                "subsidised, SUB-5 negative amounts or dates, SUB-6 once per course/certificate"},
           403: {"description": "role or jurisdiction (AUTH-1/2)"}, 404: {},
           409: {"description": "wrong status, or a month taken meanwhile (SUB-4)"}}


@router.post("/graduate", status_code=201, response_model=SubsidyRead, responses=_errors)
async def apply_graduate_subsidy(uscc: str, data: GraduateApplication, session: SessionDep, principal: PrincipalDep,
                                 rules: RulesDep, today: TodayDep) -> SubsidyRead:
    """社保补贴 for a graduate hired within 2 years of graduating: ≤ 12 months, on contributions actually paid."""
    row, months = await service.apply_graduate(session, uscc, data, principal, rules, today)
    return service.to_read(row, principal, months)


@router.post("/training", status_code=201, response_model=SubsidyRead, responses=_errors)
async def apply_training_subsidy(uscc: str, data: TrainingApplication, session: SessionDep, principal: PrincipalDep,
                                 today: TodayDep) -> SubsidyRead:
    """职业培训补贴 or 技能证书补贴 for one person."""
    return service.to_read(await service.apply_training(session, uscc, data, principal, today), principal)


@router.get("", response_model=Ledger, responses=_errors)
async def subsidy_ledger(uscc: str, session: SessionDep, principal: PrincipalDep,
                         year: int = Query(ge=2000, le=2100)) -> Ledger:
    """The organisation's subsidy ledger for a year (personal data in full only for the handling staff member)."""
    return await service.ledger(session, uscc, year, principal)


@router.post("/{application_id}/approve", response_model=SubsidyRead, responses=_errors)
async def approve_subsidy(uscc: str, application_id: int, data: Decision, session: SessionDep,
                          principal: PrincipalDep, today: TodayDep) -> SubsidyRead:
    """Approve (approval date)."""
    return service.to_read(await service.approve(session, uscc, application_id, data, principal, today), principal)


@router.post("/{application_id}/reject", response_model=SubsidyRead, responses=_errors)
async def reject_subsidy(uscc: str, application_id: int, data: Decision, session: SessionDep,
                         principal: PrincipalDep, today: TodayDep) -> SubsidyRead:
    """Reject (its months become claimable again)."""
    return service.to_read(await service.reject(session, uscc, application_id, data, principal, today), principal)


@router.post("/{application_id}/pay", response_model=SubsidyRead, responses=_errors)
async def pay_subsidy(uscc: str, application_id: int, data: Decision, session: SessionDep,
                      principal: PrincipalDep, today: TodayDep) -> SubsidyRead:
    """Record the payment (payment date, on or after approval)."""
    return service.to_read(await service.pay(session, uscc, application_id, data, principal, today), principal)
