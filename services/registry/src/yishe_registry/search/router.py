from __future__ import annotations

from fastapi import APIRouter, Query

from ..deps import SessionDep
from . import service
from .schemas import SearchPage

router = APIRouter(prefix="/search", tags=["search"])


@router.get("/organisations", response_model=SearchPage, responses={400: {"description": "a malformed filter"}})
async def search_organisations(
    session: SessionDep,
    uscc: str | None = None,
    q: str | None = Query(None, max_length=100, description="name substring (Chinese), any length"),
    org_type: str | None = None, division: str | None = Query(None, description="division-code prefix"),
    status: str | None = None, grade: str | None = Query(None, pattern=r"^[1-5]A$"),
    community_class: str | None = None, cursor: str | None = Query(None, max_length=18),
    limit: int = 20,
) -> SearchPage:
    """Search organisations by USCC, name substring, kind, division prefix, status, grade; paginated in USCC order."""
    return await service.search(session, uscc=uscc, q=q, org_type=org_type, division=division, status=status,
                                grade=grade, community_class=community_class, cursor=cursor, limit=limit)
