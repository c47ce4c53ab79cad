from __future__ import annotations

from datetime import date

from fastapi import APIRouter

from yishe_kit.db import SessionDep
from yishe_kit.principal import PrincipalDep

from ..deps import ERRORS
from . import service
from .schemas import CoverageReport, UncoveredRead

router = APIRouter(prefix="/coverage", tags=["coverage"])


@router.get("", response_model=CoverageReport, responses=ERRORS)
async def get_coverage(session: SessionDep, principal: PrincipalDep, division: str | None = None,
                       as_of: date | None = None) -> CoverageReport:
    """Organisation and work coverage rates by division and kind on a day (default today)."""
    return await service.report(session, principal, division=division, as_of=as_of)


@router.get("/uncovered", response_model=list[UncoveredRead], responses=ERRORS)
async def list_uncovered(session: SessionDep, principal: PrincipalDep,
                         division: str | None = None) -> list[UncoveredRead]:
    """Organisations flagged as not covered (PARTY-5): to be reminded at their next filing."""
    return await service.uncovered(session, principal, division=division)
