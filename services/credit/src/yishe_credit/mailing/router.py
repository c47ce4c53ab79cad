from __future__ import annotations

from fastapi import APIRouter

from ..context import CtxDep
from . import service
from .schemas import MailingCreate, MailingOutcome, MailingRead

router = APIRouter(tags=["mailing"])
ERRORS: dict = {400: {"description": "CR-7 interval"}, 403: {"description": "role/division"},
                404: {"description": "none"},
          409: {"description": "conflict"}}


@router.post("/mailings", response_model=MailingRead, status_code=201, responses=ERRORS)
async def send_mailing(body: MailingCreate, ctx: CtxDep) -> MailingRead:
    """Record a dedicated letter to the registered address (CR-7)."""
    return service.read(await service.send(ctx, body), ctx)


@router.post("/mailings/{mailing_id}/outcome", response_model=MailingRead, responses=ERRORS)
async def mailing_outcome(mailing_id: int, body: MailingOutcome, ctx: CtxDep) -> MailingRead:
    """Signed or unsigned; a second unsigned letter lists the organisation (CR-7 → CR-6.6)."""
    return service.read(await service.record_outcome(ctx, mailing_id, body), ctx)


@router.get("/profiles/{uscc}/mailings", response_model=list[MailingRead], responses=ERRORS)
async def list_mailings(uscc: str, ctx: CtxDep) -> list[MailingRead]:
    """The letters sent to an organisation (staff)."""
    return await service.for_org(ctx, uscc)
