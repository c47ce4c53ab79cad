from __future__ import annotations

from fastapi import APIRouter, Request

from yishe_kit.principal import PrincipalDep

from ..deps import SessionDep, TodayDep
from . import service
from .schemas import HistoryRead, LeaderRead, OrganisationCreate, OrganisationRead

router = APIRouter(prefix="/organisations", tags=["organisation"])
_errors = {400: {"description": "malformed USCC or a refused rule"}, 404: {"description": "unknown USCC"}}


@router.post("", status_code=201, response_model=OrganisationRead,
             responses={400: {"description": "a registration rule refused"},
                        403: {"description": "not staff or internal (AUTH-1), or outside the jurisdiction (AUTH-2)"},
                        409: {"description": "name taken"}})
async def register_organisation(data: OrganisationCreate, session: SessionDep, principal: PrincipalDep,
                                request: Request, today: TodayDep) -> OrganisationRead:
    """Register an organisation directly (staff or internal) and issue its unified social credit code (USCC)."""
    org = await service.register(session, data=data, principal=principal, outbox=request.app.state.outbox,
                                 body_prefix=request.app.state.settings.uscc_body_prefix, today=today)
    return service.disclose(org, principal)


@router.get("/{uscc}", response_model=OrganisationRead, responses=_errors)
async def get_organisation(uscc: str, session: SessionDep, principal: PrincipalDep) -> OrganisationRead:
    """One organisation by USCC, disclosed according to the caller's role."""
    return service.disclose(await service.get(session, uscc), principal)


@router.get("/{uscc}/history", response_model=list[HistoryRead], responses=_errors)
async def list_organisation_history(uscc: str, session: SessionDep, principal: PrincipalDep) -> list[HistoryRead]:
    """The organisation's append-only history: who, when, what changed, why."""
    return [service.history_read(h, principal) for h in await service.history(session, uscc, principal)]


@router.get("/{uscc}/leaders", response_model=list[LeaderRead], responses=_errors)
async def list_leaders(uscc: str, session: SessionDep, principal: PrincipalDep) -> list[LeaderRead]:
    """Current and past leaders (REG-10 data); ID numbers masked and only for entitled roles."""
    return await service.leaders(session, uscc, principal)
