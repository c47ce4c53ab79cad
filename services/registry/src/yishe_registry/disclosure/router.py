from __future__ import annotations

from fastapi import APIRouter, Query

from yishe_kit.principal import PrincipalDep

from ..deps import OutboxDep, RulesDep, SessionDep, TodayDep
from . import service
from .schemas import DisclosureCreate, DisclosureRead, DutyRead, ReceiptCreate, ReceiptRead

router = APIRouter(tags=["disclosure"])
_errors: dict = {400: {"description": "DISC-1 year, DISC-2 kind, DISC-4 negative amounts"},
           403: {"description": "role or jurisdiction (AUTH-1/2)"}, 404: {},
           409: {"description": "DISC-5 no figures by source in the annual report"}}


@router.get("/organisations/{uscc}/disclosures", response_model=list[DisclosureRead], responses=_errors)
async def list_disclosures(uscc: str, session: SessionDep) -> list[DisclosureRead]:
    """The organisation's published financial disclosures (public)."""
    return await service.public_listing(session, uscc)


@router.put("/organisations/{uscc}/disclosures/{year}", response_model=DisclosureRead, responses=_errors)
async def publish_disclosure(uscc: str, year: int, data: DisclosureCreate, session: SessionDep,
                             principal: PrincipalDep, outbox: OutboxDep, today: TodayDep) -> DisclosureRead:
    """Publish (or correct) a year's income and spending by source and the audit report (DISC-1)."""
    return service.to_read(await service.publish(session, uscc, year, data, principal, outbox, today))


@router.post("/organisations/{uscc}/disclosures/{year}/from-annual-report", response_model=DisclosureRead,
             responses=_errors)
async def publish_disclosure_from_annual_report(uscc: str, year: int, session: SessionDep, principal: PrincipalDep,
                                                outbox: OutboxDep, today: TodayDep) -> DisclosureRead:
    """Publish the figures by source given in the year's annual report (DISC-5)."""
    return service.to_read(await service.publish_from_annual_report(session, uscc, year, principal, outbox, today))


@router.get("/organisations/{uscc}/disclosure-duties", response_model=list[DutyRead], responses=_errors)
async def list_disclosure_duties(uscc: str, session: SessionDep, principal: PrincipalDep) -> list[DutyRead]:
    """The years this organisation must disclose, why, by when, and whether it did (DISC-2, DISC-3)."""
    return [DutyRead.model_validate(d) for d in await service.duties(session, uscc, principal)]


@router.get("/organisations/{uscc}/funding", response_model=list[ReceiptRead], responses=_errors)
async def list_funding(uscc: str, session: SessionDep, principal: PrincipalDep) -> list[ReceiptRead]:
    """Money received that obliges disclosure: contracts, grants, donations (DISC-2)."""
    return [ReceiptRead.model_validate(r) for r in await service.receipts(session, uscc, principal)]


@router.post("/organisations/{uscc}/funding", status_code=201, response_model=ReceiptRead | None,
             responses=_errors)
async def record_funding(uscc: str, data: ReceiptCreate, session: SessionDep, principal: PrincipalDep,
                         rules: RulesDep, today: TodayDep) -> ReceiptRead | None:
    """Record a 公益创投 or other government grant or a donation (DISC-2); a repeated reference records nothing."""
    row = await service.add_receipt(session, uscc, data, principal, rules, today)
    return ReceiptRead.model_validate(row) if row else None


@router.get("/disclosures/missing", response_model=list[DutyRead],
            responses={403: {"description": "staff or internal, within jurisdiction"}})
async def list_missing_disclosures(session: SessionDep, principal: PrincipalDep,
                                   division: str | None = Query(None, pattern=r"^\d{2,9}$")) -> list[DutyRead]:
    """Disclosures due and not published by their deadline (DISC-3), for staff to act on."""
    return [DutyRead.model_validate(d) for d in await service.missing(session, principal, division)]
