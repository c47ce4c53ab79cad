from __future__ import annotations

from fastapi import APIRouter

from yishe_kit.db import SessionDep
from yishe_kit.principal import PrincipalDep

from ..deps import ERRORS, OutboxDep, SettingsDep
from . import service
from .schemas import (
    AffiliationRead,
    CaptureConfirmation,
    CountChangeRead,
    MemberCountsUpdate,
    PartyRecordRead,
    ProfileUpdate,
)

router = APIRouter(prefix="/records", tags=["record"])


@router.patch("/{uscc}/profile", response_model=PartyRecordRead, responses=ERRORS)
async def update_record_profile(uscc: str, data: ProfileUpdate, session: SessionDep, principal: PrincipalDep,
                                settings: SettingsDep) -> PartyRecordRead:
    """Sector, supervisory unit and kind (trade association, community) used for suggestions and PARTY-7."""
    return await service.update_profile(session, uscc, data, principal, settings)


@router.put("/{uscc}/member-counts", response_model=PartyRecordRead, responses=ERRORS)
async def correct_member_counts(uscc: str, data: MemberCountsUpdate, session: SessionDep, principal: PrincipalDep,
                                settings: SettingsDep, outbox: OutboxDep) -> PartyRecordRead:
    """Correct member counts not captured one by one; the route is re-evaluated (PARTY-1..3)."""
    return await service.correct_counts(session, uscc, data, principal, outbox=outbox, settings=settings)


@router.post("/{uscc}/capture-confirmation", response_model=PartyRecordRead, responses=ERRORS)
async def confirm_member_capture(uscc: str, data: CaptureConfirmation, session: SessionDep, principal: PrincipalDep,
                                 settings: SettingsDep) -> PartyRecordRead:
    """Close the member-capture task (PARTY-5), also when the organisation has no Party members."""
    return await service.confirm_capture(session, uscc, data, principal, settings)


@router.get("/{uscc}/count-history", response_model=list[CountChangeRead], responses=ERRORS)
async def list_count_history(uscc: str, session: SessionDep, principal: PrincipalDep) -> list[CountChangeRead]:
    """Dated member counts and the route each implied."""
    return await service.count_history(session, uscc, principal)


@router.get("/{uscc}/affiliation", response_model=AffiliationRead, responses=ERRORS)
async def get_affiliation(uscc: str, session: SessionDep, settings: SettingsDep) -> AffiliationRead:
    """The reporting line (隶属关系, PARTY-7): the Party organisation responsible for its Party work."""
    return await service.get_affiliation(session, uscc, settings)
