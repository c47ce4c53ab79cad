"""Community organisations known to cultivation (registered and filed), and their township."""

from __future__ import annotations

from fastapi import APIRouter

from yishe_kit.db import SessionDep
from yishe_kit.principal import PrincipalDep

from ..deps import ERRORS, DivisionQuery
from . import service
from .schemas import CommunityOrgRead, TownshipAssign

router = APIRouter(prefix="/community-organisations", tags=["organisation"])


@router.get("", response_model=list[CommunityOrgRead], responses=ERRORS)
async def list_community_organisations(session: SessionDep, principal: PrincipalDep,
                                       division: DivisionQuery = None) -> list[CommunityOrgRead]:
    """Registered and filed community organisations in the caller's jurisdiction (`division`: a county's 6 or a
    township's 9 digits)."""
    return await service.list_community(session, principal, division)


@router.put("/{uscc}/township", response_model=CommunityOrgRead, responses=ERRORS)
async def assign_township(uscc: str, body: TownshipAssign, session: SessionDep,
                          principal: PrincipalDep) -> CommunityOrgRead:
    """Set the township/street a registered community organisation belongs to."""
    return await service.assign_township(session, principal, uscc, body)
