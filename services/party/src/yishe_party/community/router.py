"""PARTY-13: community organisations' reports (报到) to the community Party organisation."""

from __future__ import annotations

from fastapi import APIRouter

from yishe_kit.clock import ClockDep
from yishe_kit.db import SessionDep
from yishe_kit.principal import PrincipalDep

from ..deps import ERRORS
from . import service
from .schemas import CommunityReportCreate, CommunityReportRead

router = APIRouter(prefix="/community-reports", tags=["community"])


@router.post("", response_model=CommunityReportRead, status_code=201, responses=ERRORS)
async def create_community_report(body: CommunityReportCreate, session: SessionDep, principal: PrincipalDep,
                                  clock: ClockDep) -> CommunityReportRead:
    """A community organisation reports to its community (village) Party organisation: registered ones by USCC
    (the organisation itself or party/staff), filed ones by filing number (party/staff)."""
    return await service.report(session, principal, body, clock=clock)


@router.get("", response_model=list[CommunityReportRead], responses=ERRORS)
async def list_community_reports(session: SessionDep, principal: PrincipalDep,
                                 division: str | None = None) -> list[CommunityReportRead]:
    return await service.list_reports(session, principal, division)
