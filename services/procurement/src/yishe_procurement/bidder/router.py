from __future__ import annotations

from fastapi import APIRouter

from yishe_kit.context import SettingsDep, TodayDep
from yishe_kit.db import SessionDep
from yishe_kit.principal import PrincipalDep

from . import service
from .schemas import BidderRead, RecommendationSet

router = APIRouter(prefix="/bidders", tags=["bidder"])


@router.get("/{uscc}", response_model=BidderRead,
            responses={400: {"description": "malformed USCC"}, 404: {"description": "unknown organisation"}})
async def get_bidder(uscc: str, session: SessionDep, today: TodayDep, settings: SettingsDep) -> BidderRead:
    """What procurement knows of an organisation and whether it may bid today (PROC-4), with its preference."""
    return await service.get(session, uscc, today, settings)


@router.put("/{uscc}/recommendation", response_model=BidderRead,
            responses={400: {"description": "malformed USCC"}, 403: {"description": "not staff"}})
async def set_recommendation(uscc: str, body: RecommendationSet, session: SessionDep, principal: PrincipalDep,
                             today: TodayDep, settings: SettingsDep) -> BidderRead:
    """Put an organisation in, or take it out of, the recommended catalogue (推荐目录, PROC-9); staff only."""
    return await service.set_recommended(session, uscc, body, today, principal, settings)
