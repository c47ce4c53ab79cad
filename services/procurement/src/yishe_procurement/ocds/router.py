from __future__ import annotations

from fastapi import APIRouter, Query
from fastapi.responses import Response

from yishe_kit.context import SettingsDep
from yishe_kit.db import SessionDep
from yishe_kit.principal import PrincipalDep

from ..common import jsonnum
from . import service

router = APIRouter(prefix="/ocds", tags=["ocds"])
JSON = "application/json"
DOC: dict = {200: {"content": {JSON: {}}, "description": "OCDS 1.1 JSON, amounts as exact JSON numbers"},
       404: {"description": "no published contracting process"}}


def _exact(body: dict) -> Response:
    return Response(jsonnum.dumps(body), media_type=JSON)


@router.get("/projects/{project_id}/releases", response_class=Response, responses=DOC)
async def get_release_package(project_id: str, session: SessionDep, principal: PrincipalDep,
                              settings: SettingsDep) -> Response:
    """OCDS release package: every release of the project's contracting process."""
    return _exact(await service.release_package(session, project_id, principal, settings))


@router.get("/projects/{project_id}/record", response_class=Response, responses=DOC)
async def get_record_package(project_id: str, session: SessionDep, principal: PrincipalDep,
                             settings: SettingsDep) -> Response:
    """OCDS record package: the project's releases and its compiled release."""
    return _exact(await service.record_package(session, principal, settings, project_id=project_id))


@router.get("/records/{ocid}", response_class=Response, responses=DOC)
async def get_record_by_ocid(ocid: str, session: SessionDep, principal: PrincipalDep,
                             settings: SettingsDep) -> Response:
    """OCDS record package looked up by ocid."""
    return _exact(await service.record_package(session, principal, settings, ocid=ocid))


@router.get("/releases", response_class=Response, responses=DOC)
async def get_release_feed(session: SessionDep, settings: SettingsDep, after: int = 0,
                           limit: int = Query(default=100, ge=1, le=1000)) -> Response:
    """OCDS release package of all published processes, paged by `after` (the `X-Next-After` header)."""
    package, next_after = await service.feed(session, settings, after=after, limit=limit)
    response = _exact(package)
    response.headers["x-next-after"] = str(next_after)
    return response
