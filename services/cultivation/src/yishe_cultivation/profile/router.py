"""An organisation's cultivation facts: its part of the 一社一码 profile."""

from __future__ import annotations

from fastapi import APIRouter

from yishe_kit.clock import TodayDep
from yishe_kit.db import SessionDep
from yishe_kit.principal import PrincipalDep

from ..deps import ERRORS, SettingsDep
from . import service
from .schemas import CultivationProfile

router = APIRouter(prefix="/facts", tags=["profile"])


@router.get("/{uscc}", response_model=CultivationProfile, responses=ERRORS)
async def get_profile(uscc: str, session: SessionDep, principal: PrincipalDep, today: TodayDep,
                      settings: SettingsDep) -> CultivationProfile:
    """The platform the organisation belongs to (or operates), its activity index this year, incubation, rewards."""
    return await service.view(session, principal, uscc, today=today, settings=settings)
