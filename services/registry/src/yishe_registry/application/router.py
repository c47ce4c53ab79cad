from __future__ import annotations

from fastapi import APIRouter, Query, Request

from yishe_kit.principal import PrincipalDep

from ..deps import OutboxDep, RulesDep, SessionDep, TodayDep
from ..organisation import service as organisation_service
from ..organisation.schemas import HistoryRead, OrganisationRead
from ..trail import service as trail
from . import registration, review, service
from .repository import steps as load_steps
from .schemas import (
    ApplicationCreate,
    ApplicationPage,
    ApplicationRead,
    ConditionReport,
    StepCorrection,
    StepDecision,
    StepName,
    WithdrawRequest,
)

router = APIRouter(prefix="/applications", tags=["application"])
_errors: dict = {400: {"description": "a condition or rule refused, by rule id"}, 403: {"description": "role"},
           404: {"description": "unknown application"}, 409: {"description": "wrong state for this step"}}


async def _read(session, app, today) -> ApplicationRead:
    return service.to_read(app, await load_steps(session, app.application_id), today)


@router.post("/check", response_model=ConditionReport, responses={404: {"description": "unknown reservation"}})
async def check_conditions(data: ApplicationCreate, session: SessionDep, rules: RulesDep,
                           today: TodayDep) -> ConditionReport:
    """Dry run: every failed condition of registration by rule id (REG-1..REG-12, PARTY-11); writes nothing."""
    problems = await service.check(session, data, rules, today)
    return ConditionReport(ok=not problems, problems=[p.as_dict() for p in problems])


@router.post("", status_code=201, response_model=ApplicationRead, responses=_errors)
async def submit_application(data: ApplicationCreate, session: SessionDep, principal: PrincipalDep,
                             outbox: OutboxDep, rules: RulesDep, today: TodayDep) -> ApplicationRead:
    """受理: accept a complete application that meets every condition; joint review and the 60-day clock start."""
    app = await service.submit(session, data, principal, outbox, rules, today)
    return await _read(session, app, today)


@router.get("", response_model=ApplicationPage, responses={403: {}})
async def list_applications(session: SessionDep, principal: PrincipalDep, today: TodayDep,
                            status: str | None = None, division: str | None = Query(None, max_length=9),
                            overdue: bool = False, cursor: int | None = None,
                            limit: int = Query(20, ge=1, le=100)) -> ApplicationPage:
    """Applications, oldest first; `overdue=true` lists those past the 60-day decision date (REG-2)."""
    return await service.listing(session, principal, today, status=status, division=division, overdue=overdue,
                                 cursor=cursor, limit=limit)


@router.get("/{application_id}", response_model=ApplicationRead, responses=_errors)
async def get_application(application_id: int, session: SessionDep, principal: PrincipalDep,
                          today: TodayDep) -> ApplicationRead:
    """One application with its steps, pending steps and the statutory clock."""
    return await service.read(session, application_id, principal, today)


@router.post("/{application_id}/steps/{step}", response_model=ApplicationRead, responses=_errors)
async def record_step(application_id: int, step: StepName, data: StepDecision, session: SessionDep,
                      principal: PrincipalDep, outbox: OutboxDep, rules: RulesDep, today: TodayDep,
                      ) -> ApplicationRead:
    """Record a joint-review step: supervisory review (supervisor), political review (party), interview, leaders'
    notice, the authority's review, publicity (staff)."""
    app = await review.record_step(session, application_id, step, data, principal, outbox, rules, today)
    return await _read(session, app, today)


@router.post("/{application_id}/corrections", response_model=ApplicationRead, responses=_errors)
async def correct_step(application_id: int, data: StepCorrection, session: SessionDep, principal: PrincipalDep,
                       outbox: OutboxDep, today: TodayDep) -> ApplicationRead:
    """Supersede a mistaken step by an authorised correction; the trail keeps both."""
    app = await review.correct_step(session, application_id, data, principal, outbox, today)
    return await _read(session, app, today)


@router.post("/{application_id}/withdraw", response_model=ApplicationRead, responses=_errors)
async def withdraw_application(application_id: int, data: WithdrawRequest, session: SessionDep,
                               principal: PrincipalDep, outbox: OutboxDep, today: TodayDep) -> ApplicationRead:
    """The applicant withdraws the application."""
    app = await service.withdraw(session, application_id, principal, outbox, today, data.reason)
    return await _read(session, app, today)


@router.post("/{application_id}/register", status_code=201, response_model=OrganisationRead, responses=_errors)
async def register_application(application_id: int, session: SessionDep, principal: PrincipalDep,
                               outbox: OutboxDep, rules: RulesDep, today: TodayDep,
                               request: Request) -> OrganisationRead:
    """准予登记: register the approved application and issue the USCC."""
    org = await registration.register(session, application_id, principal, outbox, rules,
                                      request.app.state.settings.uscc_body_prefix, today)
    return organisation_service.disclose(org, principal)


@router.get("/{application_id}/history", response_model=list[HistoryRead], responses=_errors)
async def application_history(application_id: int, session: SessionDep, principal: PrincipalDep,
                              ) -> list[HistoryRead]:
    """The application's append-only trail."""
    organisation_service.require_not_public(principal)
    await service.get(session, application_id)
    return [HistoryRead.model_validate(h, from_attributes=True)
            for h in await trail.trail(session, "application", application_id)]
