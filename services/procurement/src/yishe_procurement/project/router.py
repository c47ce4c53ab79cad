from __future__ import annotations

from fastapi import APIRouter

from yishe_kit.context import SettingsDep, TodayDep
from yishe_kit.db import SessionDep
from yishe_kit.principal import PrincipalDep

from . import service
from .schemas import ProjectAmend, ProjectCancel, ProjectCreate, ProjectRead

router = APIRouter(prefix="/projects", tags=["project"])
ERRORS: dict = {400: {"description": "refused, with rule ids (PROC-5, PROC-6, PROC-7)"},
          403: {"description": "not a purchaser / outside division"}, 404: {"description": "no such project"},
          409: {"description": "wrong project state"}}


@router.post("", response_model=ProjectRead, status_code=201, responses=ERRORS)
async def create_project(body: ProjectCreate, session: SessionDep, principal: PrincipalDep, today: TodayDep,
                         settings: SettingsDep) -> ProjectRead:
    """Plan a purchase project from a guidance-catalogue item with a budget (PROC-5, PROC-6, PROC-7)."""
    return await service.create(session, body, principal, today, settings)


@router.get("", response_model=list[ProjectRead])
async def list_projects(session: SessionDep, principal: PrincipalDep, status: str | None = None,
                        division_code: str | None = None, year: int | None = None,
                        department: str | None = None) -> list[ProjectRead]:
    """Projects, newest first (unpublished ones only for purchasers, staff and supervisors)."""
    return await service.search(session, principal, status=status, division_code=division_code, year=year,
                                department=department)


@router.get("/{project_id}", response_model=ProjectRead, responses=ERRORS)
async def get_project(project_id: str, session: SessionDep, principal: PrincipalDep) -> ProjectRead:
    """A project with its amendment history (unpublished ones only for purchasers, staff and supervisors)."""
    return await service.read_visible(session, project_id, principal)


@router.patch("/{project_id}", response_model=ProjectRead, responses=ERRORS)
async def amend_project(project_id: str, body: ProjectAmend, session: SessionDep, principal: PrincipalDep,
                        today: TodayDep, settings: SettingsDep) -> ProjectRead:
    """Amend a planned or published project; the change and its rationale are kept."""
    return await service.amend(session, project_id, body, principal, today, settings)


@router.post("/{project_id}/publish", response_model=ProjectRead, responses=ERRORS)
async def publish_project(project_id: str, session: SessionDep, principal: PrincipalDep, today: TodayDep,
                          settings: SettingsDep) -> ProjectRead:
    """Publish the project: the tender opens until `tender_end`."""
    return await service.publish(session, project_id, principal, today, settings)


@router.post("/{project_id}/cancel", response_model=ProjectRead, responses=ERRORS)
async def cancel_project(project_id: str, body: ProjectCancel, session: SessionDep, principal: PrincipalDep,
                         settings: SettingsDep) -> ProjectRead:
    """Cancel a project before its contract is signed."""
    return await service.cancel(session, project_id, body, principal, settings)
