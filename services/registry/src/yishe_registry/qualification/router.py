from __future__ import annotations

from fastapi import APIRouter

from yishe_kit.principal import PrincipalDep

from ..deps import OutboxDep, RulesDep, SessionDep, TodayDep
from . import service
from .schemas import MatterCreate, MatterRead, QualificationGrant, QualificationRead, QualificationRevoke

router = APIRouter(prefix="/organisations/{uscc}", tags=["qualification"])
_errors: dict = {400: {"description": "a qualification rule refused"}, 403: {}, 404: {}, 409: {}}


@router.get("/qualifications", response_model=list[QualificationRead], responses=_errors)
async def list_qualifications(uscc: str, session: SessionDep) -> list[QualificationRead]:
    """Charity status, public fundraising, tax exemption, pre-tax deduction: current and past."""
    return [QualificationRead.model_validate(q) for q in await service.listing(session, uscc)]


@router.post("/qualifications", status_code=201, response_model=QualificationRead, responses=_errors)
async def grant_qualification(uscc: str, data: QualificationGrant, session: SessionDep, principal: PrincipalDep,
                              outbox: OutboxDep, rules: RulesDep, today: TodayDep) -> QualificationRead:
    """Record a qualification (validity: pre-tax deduction 3 years)."""
    return QualificationRead.model_validate(
        await service.grant(session, uscc, data, principal, outbox, rules, today))


@router.post("/qualifications/{qualification_id}/revoke", response_model=QualificationRead, responses=_errors)
async def revoke_qualification(uscc: str, qualification_id: int, data: QualificationRevoke, session: SessionDep,
                               principal: PrincipalDep, outbox: OutboxDep, today: TodayDep) -> QualificationRead:
    """Cancel a qualification."""
    return QualificationRead.model_validate(
        await service.revoke(session, uscc, qualification_id, data.reason, principal, outbox, today))


@router.get("/matters", response_model=list[MatterRead], responses=_errors)
async def list_matters(uscc: str, session: SessionDep, principal: PrincipalDep) -> list[MatterRead]:
    """Major matters filed (not public)."""
    return [MatterRead.model_validate(m) for m in await service.matters(session, uscc, principal)]


@router.post("/matters", status_code=201, response_model=MatterRead, responses=_errors)
async def file_matter(uscc: str, data: MatterCreate, session: SessionDep, principal: PrincipalDep,
                      outbox: OutboxDep, today: TodayDep) -> MatterRead:
    """重大事项备案 (PARTY-5 reminders come back here)."""
    row, reminders = await service.file_matter(session, uscc, data, principal, outbox, today)
    return MatterRead.model_validate(row).model_copy(update={"reminders": reminders})
