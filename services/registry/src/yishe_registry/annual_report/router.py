from __future__ import annotations

from fastapi import APIRouter

from yishe_kit.principal import PrincipalDep

from ..deps import OutboxDep, RulesDep, SessionDep, TodayDep
from . import service
from .schemas import FirstInstance, ReportRead, ReportSubmit, Review

router = APIRouter(prefix="/organisations/{uscc}/annual-reports", tags=["annual_report"])
_errors: dict = {400: {"description": "window, duty or Party section (AR-1..AR-6)"}, 403: {}, 404: {},
           409: {"description": "already submitted, or not ready for this review"}}


@router.get("", response_model=list[ReportRead], responses=_errors)
async def list_reports(uscc: str, session: SessionDep, principal: PrincipalDep) -> list[ReportRead]:
    """The organisation's reports; the public sees the disclosed ones."""
    return [service.to_read(r, principal) for r in await service.listing(session, uscc, principal)]


@router.post("", status_code=201, response_model=ReportRead, responses=_errors)
async def submit_report(uscc: str, data: ReportSubmit, session: SessionDep, principal: PrincipalDep,
                        outbox: OutboxDep, rules: RulesDep, today: TodayDep) -> ReportRead:
    """Submit the annual work report with finance figures and the Party-building section (AR-1, AR-6)."""
    report, reminders = await service.submit(session, uscc, data, principal, outbox, rules, today)
    return service.to_read(report, principal, reminders)


@router.get("/{year}", response_model=ReportRead, responses=_errors)
async def get_report(uscc: str, year: int, session: SessionDep, principal: PrincipalDep) -> ReportRead:
    """One year's report (public only once disclosed)."""
    return service.to_read(await service.get(session, uscc, year, principal), principal)


@router.post("/{year}/first-instance", response_model=ReportRead, responses=_errors)
async def first_instance(uscc: str, year: int, data: FirstInstance, session: SessionDep,
                         principal: PrincipalDep, outbox: OutboxDep, today: TodayDep) -> ReportRead:
    """The supervisory unit's first-instance review: passed or returned."""
    return service.to_read(await service.record_first_instance(session, uscc, year, data, principal, outbox, today),
                           principal)


@router.post("/{year}/review", response_model=ReportRead, responses=_errors)
async def review_report(uscc: str, year: int, data: Review, session: SessionDep, principal: PrincipalDep,
                        outbox: OutboxDep, today: TodayDep) -> ReportRead:
    """The bureau's result: 合格, 基本合格 or 不合格 (AR-4)."""
    return service.to_read(await service.review(session, uscc, year, data, principal, outbox, today), principal)


@router.post("/{year}/disclose", response_model=ReportRead, responses=_errors)
async def disclose_report(uscc: str, year: int, session: SessionDep, principal: PrincipalDep, outbox: OutboxDep,
                          today: TodayDep) -> ReportRead:
    """Publish a reviewed report."""
    return service.to_read(await service.disclose(session, uscc, year, principal, outbox, today), principal)
