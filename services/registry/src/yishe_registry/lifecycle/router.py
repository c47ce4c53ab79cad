from __future__ import annotations

from fastapi import APIRouter

from yishe_kit.principal import PrincipalDep

from ..deps import OutboxDep, RulesDep, SessionDep, TodayDep
from . import correction, service
from .schemas import (
    CorrectionRequest,
    DeregistrationRequest,
    NoticeRequest,
    SimpleDeregistrationRequest,
    StatusRead,
    StatusRequest,
)

router = APIRouter(prefix="/organisations/{uscc}", tags=["lifecycle"])
_errors: dict = {400: {"description": "a rule refused"}, 403: {"description": "role or jurisdiction"}, 404: {},
           409: {"description": "status does not allow it"}}


@router.post("/deregistration", response_model=StatusRead, responses=_errors)
async def deregister(uscc: str, data: DeregistrationRequest, session: SessionDep, principal: PrincipalDep,
                     outbox: OutboxDep, rules: RulesDep, today: TodayDep) -> StatusRead:
    """注销登记 after liquidation (REG-2, REG-3, REG-4)."""
    return await service.deregister(session, uscc, data.liquidation_completed_on, data.reason, data.decided_by,
                                    principal, outbox, rules, today)


@router.post("/simple-deregistration/notice", response_model=StatusRead, responses=_errors)
async def start_simple_deregistration(uscc: str, data: NoticeRequest, session: SessionDep, principal: PrincipalDep,
                                      outbox: OutboxDep, rules: RulesDep, today: TodayDep) -> StatusRead:
    """简易注销 notice for a zombie organisation confirmed by credit."""
    return await service.start_notice(session, uscc, data.reason, principal, outbox, rules, today)


@router.post("/simple-deregistration", response_model=StatusRead, responses=_errors)
async def simple_deregister(uscc: str, data: SimpleDeregistrationRequest, session: SessionDep,
                            principal: PrincipalDep, outbox: OutboxDep, today: TodayDep) -> StatusRead:
    """简易注销 once the notice has run its course."""
    return await service.simple_deregister(session, uscc, data.reason, data.decided_by, principal, outbox, today)


@router.post("/status", response_model=StatusRead, responses=_errors)
async def change_status(uscc: str, data: StatusRequest, session: SessionDep, principal: PrincipalDep,
                        outbox: OutboxDep, today: TodayDep) -> StatusRead:
    """撤销登记, 吊销登记证书, 限期停止活动 or 恢复, with the rule the decision rests on."""
    return await service.change_status(session, uscc, data, principal, outbox, today)


@router.post("/corrections", response_model=StatusRead, responses=_errors)
async def correct(uscc: str, data: CorrectionRequest, session: SessionDep, principal: PrincipalDep,
                  outbox: OutboxDep, today: TodayDep) -> StatusRead:
    """Undo a recorded change or status decision by an authorised correction (the trail keeps both)."""
    return await correction.correct(session, uscc, data, principal, outbox, today)
