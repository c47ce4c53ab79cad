"""Incubation bases (four levels, five with Sichuan's profile), Party-mass service centres, 入驻 / 出壳 (PARTY-4)."""

from __future__ import annotations

from fastapi import APIRouter

from yishe_kit.clock import ClockDep
from yishe_kit.db import SessionDep
from yishe_kit.principal import PrincipalDep

from ..deps import ERRORS, DivisionQuery, SettingsDep
from . import service
from .schemas import BaseCreate, BaseRead, LevelsRead, ResidencyCreate, ResidencyExit, ResidencyRead

router = APIRouter(prefix="/incubation", tags=["incubation"])


@router.get("/levels", response_model=LevelsRead)
async def get_levels(settings: SettingsDep) -> LevelsRead:
    """The levels of the chosen profile (`CULTIVATION_INCUBATION__PROFILE`: wenzhou four, sichuan five)."""
    return service.levels(settings)


@router.post("/bases", response_model=BaseRead, status_code=201, responses=ERRORS)
async def create_base(body: BaseCreate, session: SessionDep, principal: PrincipalDep, clock: ClockDep,
                      settings: SettingsDep) -> BaseRead:
    return await service.create_base(session, principal, body, clock=clock, settings=settings)


@router.get("/bases", response_model=list[BaseRead], responses=ERRORS)
async def list_bases(session: SessionDep, principal: PrincipalDep, settings: SettingsDep,
                     division: DivisionQuery = None, level: str | None = None) -> list[BaseRead]:
    return await service.list_bases(session, principal, division, level, settings)


@router.get("/bases/{base_id}/residents", response_model=list[ResidencyRead], responses=ERRORS)
async def list_residents(base_id: int, session: SessionDep, principal: PrincipalDep) -> list[ResidencyRead]:
    return await service.residents(session, principal, base_id)


@router.post("/bases/{base_id}/residents", response_model=ResidencyRead, status_code=201, responses=ERRORS)
async def admit_resident(base_id: int, body: ResidencyCreate, session: SessionDep, principal: PrincipalDep,
                         clock: ClockDep) -> ResidencyRead:
    """入驻 with its date and reason."""
    return await service.enter(session, principal, base_id, body, clock=clock)


@router.post("/residencies/{residency_id}/exit", response_model=ResidencyRead, responses=ERRORS)
async def exit_resident(residency_id: int, body: ResidencyExit, session: SessionDep, principal: PrincipalDep,
                        clock: ClockDep) -> ResidencyRead:
    """出壳 (or withdrawal / removal) with its date and reason."""
    return await service.leave(session, principal, residency_id, body, clock=clock)
