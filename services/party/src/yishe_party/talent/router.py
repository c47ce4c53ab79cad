from __future__ import annotations

from fastapi import APIRouter

from yishe_kit.db import SessionDep
from yishe_kit.principal import PrincipalDep

from ..deps import ERRORS, SettingsDep
from . import service
from .schemas import TalentCreate, TalentRead, TalentUpdate, WorkCoverCreate, WorkCoverEnd, WorkCoverRead

router = APIRouter(tags=["talent"])


@router.post("/talents", status_code=201, response_model=TalentRead, responses=ERRORS)
async def create_talent(data: TalentCreate, session: SessionDep, principal: PrincipalDep,
                        settings: SettingsDep) -> TalentRead:
    """Enter a person into the Party-building talent pool (党建人才库); seconded cadres take no pay (PARTY-10)."""
    return await service.create_talent(session, data, principal, settings)


@router.get("/talents", response_model=list[TalentRead], responses=ERRORS)
async def list_talents(session: SessionDep, principal: PrincipalDep, division: str | None = None) -> list[TalentRead]:
    """The talent pool of a division (personal data: Party-building roles only, masked)."""
    return await service.list_talents(session, principal, division)


@router.patch("/talents/{talent_id}", response_model=TalentRead, responses=ERRORS)
async def update_talent(talent_id: int, data: TalentUpdate, session: SessionDep, principal: PrincipalDep) -> TalentRead:
    """Approval, capacity, allowance, or withdrawal from the pool."""
    return await service.update_talent(session, talent_id, data, principal)


@router.post("/records/{uscc}/work-covers", status_code=201, response_model=WorkCoverRead, responses=ERRORS)
async def assign_work_cover(uscc: str, data: WorkCoverCreate, session: SessionDep, principal: PrincipalDep,
                            settings: SettingsDep) -> WorkCoverRead:
    """Send an instructor or liaison officer, or designate a "1+N" lead organisation (PARTY-3)."""
    return await service.assign(session, uscc, data, principal, settings)


@router.get("/records/{uscc}/work-covers", response_model=list[WorkCoverRead], responses=ERRORS)
async def list_work_covers(uscc: str, session: SessionDep, principal: PrincipalDep) -> list[WorkCoverRead]:
    """Instructors, liaison officers and "1+N" leads of an organisation, past and present."""
    return await service.list_covers(session, uscc, principal)


@router.post("/work-covers/{cover_id}/end", response_model=WorkCoverRead, responses=ERRORS)
async def end_work_cover(cover_id: int, data: WorkCoverEnd, session: SessionDep,
                         principal: PrincipalDep) -> WorkCoverRead:
    """Withdraw an instructor or end a "1+N" designation."""
    return await service.end_cover(session, cover_id, data, principal)
