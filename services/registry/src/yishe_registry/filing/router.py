from __future__ import annotations

from fastapi import APIRouter, Query

from yishe_kit.principal import PrincipalDep

from ..deps import OutboxDep, RulesDep, SessionDep, TodayDep
from ..organisation.schemas import HistoryRead
from ..organisation.service import require_not_public
from ..trail import service as trail
from . import service
from .schemas import FilingCancel, FilingChange, FilingCreate, FilingPage, FilingRead

router = APIRouter(prefix="/filings", tags=["filing"])
_errors: dict = {400: {"description": "REG-7/REG-12 refused"}, 403: {"description": "role or township jurisdiction"},
           404: {}, 409: {"description": "name taken or filing closed"}}


@router.post("", status_code=201, response_model=FilingRead, responses=_errors)
async def file_organisation(data: FilingCreate, session: SessionDep, principal: PrincipalDep, outbox: OutboxDep,
                            rules: RulesDep, today: TodayDep) -> FilingRead:
    """备案: a township/street user files a startup or growing community organisation (REG-12)."""
    return service.to_read(await service.file(session, data, principal, outbox, rules, today), principal)


@router.get("", response_model=FilingPage)
async def list_filings(session: SessionDep, principal: PrincipalDep, township: str | None = Query(None, max_length=12),
                       division: str | None = Query(None, max_length=6), status: str | None = None,
                       cursor: str | None = None, limit: int = Query(20, ge=1, le=100)) -> FilingPage:
    """Filed community organisations by township, division or status, in filing-number order."""
    return await service.listing(session, principal, township=township, division=division, status=status,
                                 cursor=cursor, limit=limit)


@router.get("/{filing_no}", response_model=FilingRead, responses={404: {}})
async def get_filing(filing_no: str, session: SessionDep, principal: PrincipalDep) -> FilingRead:
    """One filing by its number."""
    return service.to_read(await service.get(session, filing_no), principal)


@router.post("/{filing_no}/changes", response_model=FilingRead, responses=_errors)
async def change_filing(filing_no: str, data: FilingChange, session: SessionDep, principal: PrincipalDep,
                        outbox: OutboxDep, today: TodayDep) -> FilingRead:
    """备案变更."""
    return service.to_read(await service.change(session, filing_no, data, principal, outbox, today), principal)


@router.post("/{filing_no}/cancel", response_model=FilingRead, responses=_errors)
async def cancel_filing(filing_no: str, data: FilingCancel, session: SessionDep, principal: PrincipalDep,
                        outbox: OutboxDep, today: TodayDep) -> FilingRead:
    """注销备案."""
    return service.to_read(await service.cancel(session, filing_no, data.reason, principal, outbox, today), principal)


@router.get("/{filing_no}/history", response_model=list[HistoryRead], responses={403: {}, 404: {}})
async def filing_history(filing_no: str, session: SessionDep, principal: PrincipalDep) -> list[HistoryRead]:
    """The filing's append-only trail."""
    require_not_public(principal)
    await service.get(session, filing_no)
    rows = await trail.trail(session, "filing", filing_no)
    return [HistoryRead.model_validate(h, from_attributes=True) for h in rows]
