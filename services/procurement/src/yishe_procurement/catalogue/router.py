from __future__ import annotations

from fastapi import APIRouter

from yishe_kit.context import SettingsDep
from yishe_kit.db import SessionDep
from yishe_kit.principal import PrincipalDep

from . import service
from .schemas import CatalogueCreate, CatalogueRead, CatalogueSummary, Level

router = APIRouter(prefix="/catalogues", tags=["catalogue"])
ERRORS: dict = {400: {"description": "refused (PROC-5, PROC-6)"}, 403: {"description": "not staff / outside division"},
          404: {"description": "no such catalogue"}, 409: {"description": "wrong state"}}


@router.post("", response_model=CatalogueRead, status_code=201, responses=ERRORS)
async def create_catalogue(body: CatalogueCreate, session: SessionDep, principal: PrincipalDep,
                           settings: SettingsDep) -> CatalogueRead:
    """Create a draft version of a guidance catalogue (指导性目录) for a level, division and year."""
    return await service.create(session, body, principal, settings)


@router.post("/{catalogue_id}/publish", response_model=CatalogueRead, responses=ERRORS)
async def publish_catalogue(catalogue_id: str, session: SessionDep, principal: PrincipalDep) -> CatalogueRead:
    """Publish a draft; the previously published version of that level, division and year is superseded."""
    return await service.publish(session, catalogue_id, principal)


@router.get("", response_model=list[CatalogueSummary])
async def list_catalogues(session: SessionDep, level: Level | None = None, division_code: str | None = None,
                          year: int | None = None, status: str | None = None) -> list[CatalogueSummary]:
    """Catalogue versions, newest year first."""
    return await service.search(session, level=level, division_code=division_code, year=year, status=status)


@router.get("/{catalogue_id}", response_model=CatalogueRead, responses=ERRORS)
async def get_catalogue(catalogue_id: str, session: SessionDep) -> CatalogueRead:
    """One catalogue version with its items."""
    return await service.read(session, catalogue_id)
