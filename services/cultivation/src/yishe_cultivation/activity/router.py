"""Community organisations' activities, 活跃度, 活跃指数 and the inactive list (PLAT-5)."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Query, Request, Response

from yishe_kit.clock import ClockDep
from yishe_kit.db import SessionDep
from yishe_kit.principal import PrincipalDep

from ..deps import ERRORS, DivisionQuery, OutboxDep, SettingsDep
from . import importer, service
from .schemas import (
    ActivityCreate,
    ActivityRead,
    ActivityReport,
    ImportReport,
    InactiveRead,
    OrgIndex,
    PublishReport,
)

router = APIRouter(tags=["activity"])


@router.post("/activities", response_model=ActivityRead, status_code=201, responses=ERRORS)
async def create_activity(body: ActivityCreate, session: SessionDep, principal: PrincipalDep,
                          clock: ClockDep) -> ActivityRead:
    """Record one activity (date, kind, participants, residents among them). A future date or more residents than
    participants is a 400 naming the field and PLAT-5."""
    return await service.record(session, principal, body, clock=clock)


@router.get("/activities", response_model=list[ActivityRead], responses=ERRORS)
async def list_activities(session: SessionDep, principal: PrincipalDep, division: DivisionQuery = None,
                          uscc: str | None = None, filing_no: str | None = None, year: int | None = None,
                          limit: int = Query(100, ge=1, le=1000), offset: int = Query(0, ge=0)) -> list[ActivityRead]:
    return await service.list_activities(session, principal, division=division, uscc=uscc, filing_no=filing_no,
                                         year=year, limit=limit, offset=offset)


@router.post("/activities/import", response_model=ImportReport,
             responses={**ERRORS, 202: {"model": ImportReport, "description": "a long file: running as a job"}},
             openapi_extra={"requestBody": {"required": True, "content": {
                 "text/csv": {"schema": {"type": "string"}}, "application/x-ndjson": {"schema": {"type": "string"}}}}})
async def import_activities(request: Request, response: Response, session: SessionDep, principal: PrincipalDep,
                            clock: ClockDep, settings: SettingsDep,
                            format: Literal["csv", "jsonl"] = "csv") -> ImportReport:
    """Bulk import (CSV with Chinese or English headers, or JSON Lines): a per-row report. More than
    `CULTIVATION_ACTIVITY__IMPORT_SYNC_ROWS` rows → 202 with `job_id` (`GET /v1/jobs/{job_id}`,
    `POST /v1/jobs/{job_id}/cancel`)."""
    report = await importer.run(session, request.app, principal, await request.body(), format, clock=clock,
                                sync_rows=settings.activity.import_sync_rows)
    if report.job_id is not None:
        response.status_code = 202
    return report


@router.get("/activity/rates", response_model=ActivityReport, responses=ERRORS)
async def get_activity_rates(session: SessionDep, principal: PrincipalDep, clock: ClockDep, settings: SettingsDep,
                             division: DivisionQuery = None, year: int | None = None) -> ActivityReport:
    """活跃度 per county and township, strict and lenient, against > 50 % (2022) / ≥ 60 % (2023 on); the
    ≥ 1-a-year and ≥ 30 %-each-quarter checks."""
    return await service.report(session, principal, division, year, clock=clock, settings=settings)


@router.get("/activity/index", response_model=list[OrgIndex], responses=ERRORS)
async def list_activity_index(session: SessionDep, principal: PrincipalDep, clock: ClockDep, settings: SettingsDep,
                              division: DivisionQuery = None, year: int | None = None, uscc: str | None = None,
                              filing_no: str | None = None) -> list[OrgIndex]:
    """活跃指数 (0–100) per community organisation, highest first."""
    return await service.index(session, principal, division, year, uscc=uscc, filing_no=filing_no, clock=clock,
                               settings=settings)


@router.get("/activity/inactive", response_model=list[InactiveRead], responses=ERRORS)
async def list_inactive(session: SessionDep, principal: PrincipalDep, clock: ClockDep, division: DivisionQuery = None,
                        year: int | None = None) -> list[InactiveRead]:
    """Community organisations with no activity in the year (and when they were listed, if published)."""
    return await service.inactive(session, principal, division, year, clock=clock)


@router.post("/activity/inactive/{year}/publish", response_model=PublishReport, responses=ERRORS)
async def publish_inactive(year: int, session: SessionDep, principal: PrincipalDep, clock: ClockDep,
                           outbox: OutboxDep, division: DivisionQuery = None) -> PublishReport:
    """Publish a closed year's inactive list (cultivation.inactive.listed.v1 once per organisation and year)."""
    return await service.publish_inactive(session, principal, division, year, clock=clock, outbox=outbox)
