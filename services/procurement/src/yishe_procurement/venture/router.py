from __future__ import annotations

from fastapi import APIRouter

from yishe_kit.context import SettingsDep, TodayDep
from yishe_kit.db import SessionDep
from yishe_kit.principal import PrincipalDep

from . import service
from .schemas import ApplicationCreate, ApplicationRead, GrantCreate, RoundCreate, RoundRead, SpendingCreate

router = APIRouter(prefix="/venture", tags=["venture"])
ERRORS: dict = {400: {"description": "refused, with rule ids (PROC-4, PROC-11)"}, 403: {"description": "wrong role"},
          404: {"description": "no such round / application"}, 409: {"description": "wrong state"}}


@router.post("/rounds", response_model=RoundRead, status_code=201, responses=ERRORS)
async def create_round(body: RoundCreate, session: SessionDep, principal: PrincipalDep,
                       settings: SettingsDep) -> RoundRead:
    """Open a 公益创投 round."""
    return await service.create_round(session, body, principal, settings)


@router.get("/rounds/{round_id}", response_model=RoundRead, responses=ERRORS)
async def get_round(round_id: str, session: SessionDep) -> RoundRead:
    """A round with its pool and what has been granted."""
    return await service.read_round(session, round_id)


@router.post("/rounds/{round_id}/applications", response_model=ApplicationRead, status_code=201, responses=ERRORS)
async def apply_to_round(round_id: str, body: ApplicationCreate, session: SessionDep, principal: PrincipalDep,
                         today: TodayDep, settings: SettingsDep) -> ApplicationRead:
    """An organisation applies with its budget (PROC-11 labour cap for welfare-lottery rounds)."""
    return await service.apply(session, round_id, body, principal, today, settings)


@router.get("/applications/{application_id}", response_model=ApplicationRead, responses=ERRORS)
async def get_application(application_id: str, session: SessionDep) -> ApplicationRead:
    """An application with its grant and reported spending."""
    return await service.read_application(session, application_id)


@router.post("/applications/{application_id}/grant", response_model=ApplicationRead, responses=ERRORS)
async def grant_application(application_id: str, body: GrantCreate, session: SessionDep, principal: PrincipalDep,
                            today: TodayDep, settings: SettingsDep) -> ApplicationRead:
    """Grant an application."""
    return await service.grant(session, application_id, body, principal, today, settings)


@router.post("/applications/{application_id}/spending", response_model=ApplicationRead, status_code=201,
             responses=ERRORS)
async def report_spending(application_id: str, body: SpendingCreate, session: SessionDep, principal: PrincipalDep,
                          today: TodayDep) -> ApplicationRead:
    """Report spending against a grant (PROC-11 checked on the running totals)."""
    return await service.report_spending(session, application_id, body, principal, today)
