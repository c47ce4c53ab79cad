"""Targets (the seeds' numbers as ready profiles), progress (JSON / CSV), breakdown, trend and drill-down."""

from __future__ import annotations

from fastapi import APIRouter, Query, Response

from yishe_kit.bounds import YEAR_MAX, YEAR_MIN
from yishe_kit.clock import ClockDep
from yishe_kit.db import SessionDep
from yishe_kit.principal import PrincipalDep

from ..deps import ERRORS, DivisionQuery, SettingsDep
from . import service
from .schemas import (
    Breakdown,
    IndicatorRead,
    IndicatorRecords,
    ProfileRead,
    Progress,
    TargetSetCreate,
    TargetSetRead,
    TargetSetUpdate,
    Trend,
)

router = APIRouter(prefix="/targets", tags=["target"])
CSV = "text/csv; charset=utf-8"


@router.get("/indicators", response_model=list[IndicatorRead])
async def list_indicators() -> list[IndicatorRead]:
    """Every indicator with its unit, owning service, source events and status (pending: no source yet)."""
    return service.indicators()


@router.get("/profiles", response_model=list[ProfileRead])
async def list_profiles() -> list[ProfileRead]:
    """The seeds' targets as ready profiles (Wenzhou, Longgang, Sichuan)."""
    return list(service.profiles().values())


@router.post("/sets", response_model=TargetSetRead, status_code=201, responses=ERRORS)
async def create_target_set(body: TargetSetCreate, session: SessionDep, principal: PrincipalDep,
                            clock: ClockDep) -> TargetSetRead:
    """A division's targets for a year: from a profile (`profile`: wenzhou / longgang / sichuan) and/or its own."""
    return await service.create_set(session, principal, body, clock=clock)


@router.get("/sets", response_model=list[TargetSetRead], responses=ERRORS)
async def list_target_sets(session: SessionDep, principal: PrincipalDep, division: DivisionQuery = None,
                           year: int | None = None) -> list[TargetSetRead]:
    return await service.list_sets(session, principal, division, year)


@router.patch("/sets/{set_id}", response_model=TargetSetRead, responses=ERRORS)
async def update_target_set(set_id: int, body: TargetSetUpdate, session: SessionDep,
                            principal: PrincipalDep) -> TargetSetRead:
    return await service.update_set(session, principal, set_id, body)


@router.get("/progress", response_model=Progress, responses=ERRORS)
async def get_progress(session: SessionDep, principal: PrincipalDep, clock: ClockDep, settings: SettingsDep,
                       division: DivisionQuery = None, year: int | None = None) -> Progress:
    """Every indicator's value for the division and year against the division's target set for that year."""
    return await service.progress(session, principal, division, year, clock=clock, settings=settings)


@router.get("/progress.csv", responses={**ERRORS, 200: {"content": {"text/csv": {}}}})
async def get_progress_csv(session: SessionDep, principal: PrincipalDep, clock: ClockDep, settings: SettingsDep,
                           division: DivisionQuery = None, year: int | None = None) -> Response:
    """The same as CSV (UTF-8 with BOM, Chinese headers)."""
    p = await service.progress(session, principal, division, year, clock=clock, settings=settings)
    return Response(service.progress_csv(p), media_type=CSV, headers={
        "content-disposition": f'attachment; filename="progress-{p.division or "all"}-{p.year}.csv"'})


@router.get("/indicators/{indicator}/records", response_model=IndicatorRecords, responses=ERRORS)
async def list_indicator_records(indicator: str, session: SessionDep, principal: PrincipalDep, clock: ClockDep,
                                 settings: SettingsDep, division: DivisionQuery = None, year: int | None = None,
                                 counted: bool | None = None, format: str = Query("json", pattern="^(json|csv)$"),
                                 ) -> IndicatorRecords | Response:
    """The records behind an indicator's value (`counted=true`: only those in the numerator / count)."""
    r = await service.records(session, principal, indicator, division, year, counted, clock=clock, settings=settings)
    if format == "csv":
        return Response(service.records_csv(r), media_type=CSV, headers={
            "content-disposition": f'attachment; filename="{indicator}-{r.division or "all"}-{r.year}.csv"'})
    return r


@router.get("/indicators/{indicator}/breakdown", response_model=Breakdown, responses=ERRORS)
async def get_breakdown(indicator: str, session: SessionDep, principal: PrincipalDep, clock: ClockDep,
                        settings: SettingsDep, division: DivisionQuery = None, year: int | None = None) -> Breakdown:
    """The indicator for each division one level down (counties, or townships under a county)."""
    return await service.breakdown(session, principal, indicator, division, year, clock=clock, settings=settings)


@router.get("/indicators/{indicator}/trend", response_model=Trend, responses=ERRORS)
async def get_trend(indicator: str, session: SessionDep, principal: PrincipalDep, clock: ClockDep,
                    settings: SettingsDep, division: DivisionQuery = None,
                    start: int | None = Query(None, alias="from", ge=YEAR_MIN, le=YEAR_MAX),
                    end: int | None = Query(None, alias="to", ge=YEAR_MIN, le=YEAR_MAX)) -> Trend:
    """The indicator year by year (default: the last five years) with each year's target."""
    return await service.trend(session, principal, indicator, division, start, end, clock=clock, settings=settings)
