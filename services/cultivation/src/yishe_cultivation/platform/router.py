"""Township/street service platforms and their yearly assessments (PLAT-1..4)."""

from __future__ import annotations

from fastapi import APIRouter, Path

from yishe_kit.clock import ClockDep
from yishe_kit.db import SessionDep
from yishe_kit.principal import PrincipalDep

from ..deps import ERRORS, DivisionQuery, OutboxDep, SettingsDep
from . import service
from .schemas import (
    AssessmentIn,
    AssessmentRead,
    OperationReport,
    PlatformCreate,
    PlatformRead,
    PlatformUpdate,
    RubricItemRead,
)

router = APIRouter(prefix="/platforms", tags=["platform"])


@router.get("/rubric", response_model=list[RubricItemRead])
async def get_rubric(settings: SettingsDep) -> list[RubricItemRead]:
    """PLAT-1: the 100-point rubric (items, points, requirements)."""
    return service.rubric(settings)


@router.get("/operation", response_model=OperationReport, responses=ERRORS)
async def get_operation(session: SessionDep, principal: PrincipalDep, clock: ClockDep, settings: SettingsDep,
                        division: DivisionQuery = None, year: int | None = None) -> OperationReport:
    """PLAT-4: share of platforms in physical operation per county against the 50 / 80 / 100 % targets."""
    return await service.operation_report(session, principal, division, year, clock=clock, settings=settings)


@router.post("", response_model=PlatformRead, status_code=201, responses=ERRORS)
async def create_platform(body: PlatformCreate, session: SessionDep, principal: PrincipalDep, clock: ClockDep,
                          settings: SettingsDep) -> PlatformRead:
    """One platform per township/street; an operator from outside the area must be ≥ 2 years old and ≥ 3A."""
    return await service.create(session, principal, body, clock=clock, settings=settings)


@router.get("", response_model=list[PlatformRead], responses=ERRORS)
async def list_platforms(session: SessionDep, principal: PrincipalDep, settings: SettingsDep,
                         division: DivisionQuery = None, band: str | None = None) -> list[PlatformRead]:
    """Platforms in the caller's jurisdiction with their latest band (`band`: 示范型 / 完善型 / 提升型)."""
    return await service.list_platforms(session, principal, division, settings, band)


@router.get("/{platform_id}", response_model=PlatformRead, responses=ERRORS)
async def get_platform(platform_id: int, session: SessionDep, principal: PrincipalDep,
                       settings: SettingsDep) -> PlatformRead:
    return await service.get(session, principal, platform_id, settings)


@router.patch("/{platform_id}", response_model=PlatformRead, responses=ERRORS)
async def update_platform(platform_id: int, body: PlatformUpdate, session: SessionDep, principal: PrincipalDep,
                          clock: ClockDep, settings: SettingsDep) -> PlatformRead:
    return await service.update(session, principal, platform_id, body, clock=clock, settings=settings)


@router.put("/{platform_id}/assessments/{year}", response_model=AssessmentRead, responses=ERRORS)
async def assess_platform(platform_id: int, body: AssessmentIn, session: SessionDep, principal: PrincipalDep,
                          clock: ClockDep, outbox: OutboxDep, settings: SettingsDep,
                          year: int = Path(ge=2000, le=2100)) -> AssessmentRead:
    """PLAT-1..3: the year's assessment, a score per rubric item with evidence and the assessor; total and band."""
    return await service.assess(session, principal, platform_id, year, body, clock=clock, outbox=outbox,
                                settings=settings)


@router.get("/{platform_id}/assessments", response_model=list[AssessmentRead], responses=ERRORS)
async def list_assessments(platform_id: int, session: SessionDep, principal: PrincipalDep) -> list[AssessmentRead]:
    """The platform's assessments, one per year."""
    return await service.history(session, principal, platform_id)
