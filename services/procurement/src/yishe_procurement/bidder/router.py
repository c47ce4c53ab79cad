from __future__ import annotations

from fastapi import APIRouter

from yishe_kit.db import SessionDep

from . import service
from .schemas import BidderRead

router = APIRouter(prefix="/bidders", tags=["bidder"])


@router.get("/{uscc}", response_model=BidderRead,
            responses={400: {"description": "malformed USCC"}, 404: {"description": "unknown organisation"}})
async def get_bidder(uscc: str, session: SessionDep) -> BidderRead:
    """What procurement knows of an organisation and whether it may bid now (PROC-4, preliminary)."""
    return await service.get(session, uscc)
