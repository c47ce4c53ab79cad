from __future__ import annotations

from fastapi import APIRouter, Request

from yishe_kit.principal import PrincipalDep

from ..deps import RulesDep, SessionDep, TodayDep
from ..disclosure import service as disclosure_service
from . import service
from .schemas import HistoryRead, LeaderRead, OrganisationCreate, OrganisationRead

router = APIRouter(prefix="/organisations", tags=["organisation"])
_errors: dict = {400: {"description": "malformed USCC or a refused rule"}, 404: {"description": "unknown USCC"}}


@router.post("", status_code=201, response_model=OrganisationRead,
             responses={400: {"description": "a registration rule refused: every failed rule with its field and id "
                                             "(DIV-1, REG-1..REG-8, REG-12, ID-1, PHONE-1, PARTY-5)"},
                        403: {"description": "not staff or internal (AUTH-1), or outside the jurisdiction (AUTH-2)"},
                        409: {"description": "name taken (REG-6), similar names not acknowledged (REG-2), another "
                                             "industry association of the sector (REG-8 一业一会), the legal "
                                             "representative already represents another group (REG-2) or, for a "
                                             "foundation, any organisation (REG-4)"}})
async def register_organisation(data: OrganisationCreate, session: SessionDep, principal: PrincipalDep,
                                request: Request, rules: RulesDep, today: TodayDep) -> OrganisationRead:
    """Register an organisation directly (staff or internal) and issue its unified social credit code (USCC).

    The same rules as the application route, from the same functions: the name as a reservation checks it
    (REG-6, REG-7; similar names refused unless `acknowledge_similar`; 一业一会 for industry associations, REG-8),
    the conditions by kind as an application checks them (members and activity funds REG-1, start-up funds REG-3,
    original fund and board REG-4/REG-5, a supervisory unit outside the four direct-registration categories REG-8,
    only mature community organisations REG-12) and the legal representative (REG-2: a social group's represents no
    other group; REG-4: a foundation's none at all; the ID number is required for both). Not checked here, so not
    offered for organisations that need them: joint review (REG-9), leaders' age and terms and their notice
    (REG-10, REG-11) and the charter's Party-building clause (PARTY-11) — those go through `POST /v1/applications`."""
    org = await service.register(session, data=data, principal=principal, outbox=request.app.state.outbox,
                                 rules=rules, body_prefix=request.app.state.settings.uscc_body_prefix, today=today)
    return service.disclose(org, principal)


@router.get("/{uscc}", response_model=OrganisationRead, responses=_errors)
async def get_organisation(uscc: str, session: SessionDep, principal: PrincipalDep) -> OrganisationRead:
    """One organisation by USCC, disclosed according to the caller's role, with its financial disclosures."""
    return await disclosure_service.attach(session, service.disclose(await service.get(session, uscc), principal))


@router.get("/{uscc}/history", response_model=list[HistoryRead], responses=_errors)
async def list_organisation_history(uscc: str, session: SessionDep, principal: PrincipalDep) -> list[HistoryRead]:
    """The organisation's append-only history: who, when, what changed, why."""
    return [service.history_read(h, principal) for h in await service.history(session, uscc, principal)]


@router.get("/{uscc}/leaders", response_model=list[LeaderRead], responses=_errors)
async def list_leaders(uscc: str, session: SessionDep, principal: PrincipalDep) -> list[LeaderRead]:
    """Current and past leaders (REG-10 data); ID numbers masked and only for entitled roles."""
    return await service.leaders(session, uscc, principal)
