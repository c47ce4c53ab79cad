from __future__ import annotations

from fastapi import APIRouter

from yishe_kit.db import SessionDep
from yishe_kit.principal import PrincipalDep

from . import service
from .schemas import DesignCreate, DesignRead, Matching, NeedListCreate, NeedListRead, ResourceCreate, ResourceRead

router = APIRouter(tags=["need"])
ERRORS: dict = {400: {"description": "refused (PLAT-6)"}, 403: {"description": "wrong role / outside division"},
          404: {"description": "unknown design"}}


@router.post("/needs", response_model=NeedListRead, status_code=201, responses=ERRORS)
async def create_need_list(body: NeedListCreate, session: SessionDep, principal: PrincipalDep) -> NeedListRead:
    """Record a community's needs list (需求清单, PLAT-6)."""
    return await service.add_needs(session, body, principal)


@router.post("/designs", response_model=DesignRead, status_code=201, responses=ERRORS)
async def create_design(body: DesignCreate, session: SessionDep, principal: PrincipalDep) -> DesignRead:
    """Record a project-list entry (项目清单) designed around need items (PLAT-6)."""
    return await service.add_design(session, body, principal)


@router.post("/resources", response_model=ResourceRead, status_code=201, responses=ERRORS)
async def create_resource(body: ResourceCreate, session: SessionDep, principal: PrincipalDep) -> ResourceRead:
    """Record a resource-list entry (资源清单): supplier + undertaker for a design (PLAT-6)."""
    return await service.add_resource(session, body, principal)


@router.get("/matching", response_model=Matching)
async def get_matching(division_code: str, year: int, session: SessionDep) -> Matching:
    """Needs, designs, resources and purchase projects of a division and year, with unanswered needs."""
    return await service.matching(session, division_code, year)
