from __future__ import annotations

from fastapi import APIRouter

from yishe_kit.db import SessionDep
from yishe_kit.principal import PrincipalDep

from ..deps import ERRORS, OutboxDep, SettingsDep
from . import service
from .schemas import (
    MemberCreate,
    MemberDetail,
    MemberHistoryRead,
    MemberRemoval,
    MemberTransferOut,
    MemberUpdate,
)

router = APIRouter(tags=["member"])


@router.get("/records/{uscc}/members", response_model=list[MemberDetail], responses=ERRORS)
async def list_members(uscc: str, session: SessionDep, principal: PrincipalDep) -> list[MemberDetail]:
    """An organisation's active Party members (personal data: Party-building roles only, masked)."""
    return await service.list_members(session, uscc, principal)


@router.post("/records/{uscc}/members", status_code=201, response_model=MemberDetail, responses=ERRORS)
async def add_member(uscc: str, data: MemberCreate, session: SessionDep, principal: PrincipalDep,
                     settings: SettingsDep, outbox: OutboxDep) -> MemberDetail:
    """Capture a member or a transfer in from outside (PARTY-5); the route is re-evaluated (PARTY-1..3)."""
    return await service.add(session, uscc, data, principal, outbox=outbox, settings=settings)


@router.patch("/members/{member_id}", response_model=MemberDetail, responses=ERRORS)
async def update_member(member_id: int, data: MemberUpdate, session: SessionDep, principal: PrincipalDep,
                        settings: SettingsDep, outbox: OutboxDep) -> MemberDetail:
    """Convert to full membership (转正) or correct name and phone."""
    return await service.update(session, member_id, data, principal, outbox=outbox, settings=settings)


@router.post("/members/{member_id}/transfer-out", response_model=MemberDetail, responses=ERRORS)
async def transfer_member_out(member_id: int, data: MemberTransferOut, session: SessionDep, principal: PrincipalDep,
                              settings: SettingsDep, outbox: OutboxDep) -> MemberDetail:
    """Transfer the membership out (组织关系转出), into another organisation on the platform or outside it."""
    return await service.transfer_out(session, member_id, data, principal, outbox=outbox, settings=settings)


@router.post("/members/{member_id}/removal", response_model=MemberDetail, responses=ERRORS)
async def remove_member(member_id: int, data: MemberRemoval, session: SessionDep, principal: PrincipalDep,
                        settings: SettingsDep, outbox: OutboxDep) -> MemberDetail:
    """A member leaves without a transfer; history is kept."""
    return await service.remove(session, member_id, data, principal, outbox=outbox, settings=settings)


@router.get("/members/{member_id}/history", response_model=list[MemberHistoryRead], responses=ERRORS)
async def list_member_history(member_id: int, session: SessionDep, principal: PrincipalDep) -> list[MemberHistoryRead]:
    """A member's history: captured, added, converted, transferred, removed."""
    return await service.history(session, member_id, principal)
