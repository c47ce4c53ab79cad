from __future__ import annotations

from fastapi import APIRouter

from yishe_kit.db import SessionDep
from yishe_kit.principal import PrincipalDep

from ..deps import SettingsDep
from ..record.schemas import PartyRecordRead
from . import service

router = APIRouter(prefix="/records", tags=["record"])


@router.get("/{uscc}", response_model=PartyRecordRead,
            responses={400: {"description": "malformed USCC"}, 404: {"description": "no record"}})
async def get_record(uscc: str, session: SessionDep, principal: PrincipalDep, settings: SettingsDep) -> PartyRecordRead:
    """An organisation's Party-building record; members' data only for Party-building roles."""
    return await service.view(session, uscc, principal, settings)
