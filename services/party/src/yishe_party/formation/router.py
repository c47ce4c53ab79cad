from __future__ import annotations

from fastapi import APIRouter, Query

from yishe_kit.db import SessionDep
from yishe_kit.principal import PrincipalDep

from ..deps import ERRORS, SettingsDep
from . import service
from .schemas import JointBranchSuggestions

router = APIRouter(tags=["formation"])


@router.get("/records/{uscc}/joint-branch-suggestions", response_model=JointBranchSuggestions, responses=ERRORS)
async def get_joint_branch_suggestions(uscc: str, session: SessionDep, principal: PrincipalDep, settings: SettingsDep,
                                       limit: int = Query(default=10, ge=1, le=50)) -> JointBranchSuggestions:
    """Partners and open joint branches ranked by division and sector, and a proposed branch (PARTY-2)."""
    return await service.suggest(session, uscc, principal, settings, limit=limit)
