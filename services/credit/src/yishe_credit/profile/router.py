from __future__ import annotations

from fastapi import APIRouter

from yishe_kit.db import SessionDep
from yishe_kit.principal import PrincipalDep

from . import service
from .schemas import CreditProfileRead

router = APIRouter(prefix="/profiles", tags=["profile"])


@router.get("/{uscc}", response_model=CreditProfileRead,
            responses={400: {"description": "malformed USCC"}, 404: {"description": "no profile"}})
async def get_profile(uscc: str, session: SessionDep, principal: PrincipalDep) -> CreditProfileRead:
    """An organisation's credit profile: colour with rule and reason, list status."""
    return await service.get(session, uscc, principal)
