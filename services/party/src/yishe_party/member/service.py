"""Party members (PARTY-5 capture): add, convert, transfer in and out, remove; every change recounts the route."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import TYPE_CHECKING

from sqlalchemy.ext.asyncio import AsyncSession

from yishe_contracts.events.common import PartyMemberStatus
from yishe_contracts.events.registry import PartyMemberCaptured
from yishe_kit import clock
from yishe_kit.access import require_jurisdiction, require_role
from yishe_kit.errors import require_social_org_uscc
from yishe_kit.outbox import Outbox
from yishe_kit.principal import Principal

from ..config import Settings
from ..personal import protect_id_number, protect_phone
from ..record import service as record_service
from ..record.schemas import MemberRead
from ..roles import PARTY_WRITERS, PERSONAL_DATA_READERS
from . import repository
from .exceptions import MemberAlreadyActive, MemberNotActive, MemberNotFound, StatusChangeRefused, TransferRefused
from .models import PartyMember, PartyMemberHistory
from .schemas import MemberCreate, MemberDetail, MemberHistoryRead, MemberRemoval, MemberTransferOut, MemberUpdate

if TYPE_CHECKING:
    from ..record.models import PartyRecord

FULL = PartyMemberStatus.FULL.value


def _history(member: PartyMember, action: str, *, on: date, actor: str, from_status: str | None = None,
             counterpart_uscc: str | None = None, counterpart_name: str | None = None,
             note: str | None = None) -> PartyMemberHistory:
    return PartyMemberHistory(
        member_id=member.member_id, uscc=member.uscc, action=action, from_status=from_status,
        to_status=member.status, counterpart_uscc=counterpart_uscc, counterpart_name=counterpart_name,
        effective_on=on, note=note, actor=actor, recorded_at=clock.now())


async def capture_at_registration(session: AsyncSession, record: PartyRecord | record_service.Opened,
                                  members: Sequence[PartyMemberCaptured], *, settings: Settings, on: date) -> None:
    """三同步 (PARTY-5): members listed at registration; already counted in the registered counts."""
    key = settings.id_hash_key.get_secret_value()
    now = clock.now()
    rows = []
    for m in members:
        masked, hashed = protect_id_number(key, m.id_number, field="id_number", strict=False)
        rows.append(PartyMember(uscc=record.uscc, name=m.name, status=m.status.value, id_number_masked=masked,
                                id_number_hash=hashed, phone_masked=protect_phone(m.phone), captured_at=now,
                                state="active", joined_on=on))
    session.add_all(rows)
    await session.flush()
    session.add_all([_history(m, "captured", on=on, actor="registry") for m in rows])


async def _recount(session: AsyncSession, record: PartyRecord, delta: tuple[int, int], *, on: date,
                   reason: str, member_id: int, actor: str, outbox: Outbox, settings: Settings) -> None:
    full, probationary = delta
    await record_service.set_counts(
        session, record, full=record.full_members + full, probationary=record.probationary_members + probationary,
        effective_on=on, reason=reason, actor=actor, outbox=outbox, settings=settings, member_id=member_id)


def _delta(status: str, sign: int) -> tuple[int, int]:
    return (sign, 0) if status == FULL else (0, sign)


async def add(session: AsyncSession, uscc: str, data: MemberCreate, principal: Principal, *, outbox: Outbox,
              settings: Settings) -> MemberDetail:
    """PARTY-5: capture a member (or a transfer in from outside the platform); PARTY-1..3 re-evaluated."""
    record = await record_service.get_for_party_work(session, uscc, principal, what="采集党员信息")
    masked, hashed = protect_id_number(settings.id_hash_key.get_secret_value(), data.id_number,
                                       field="id_number", strict=True)
    if hashed and await repository.active_by_hash(session, hashed) is not None:
        raise MemberAlreadyActive()
    on = data.effective_on or clock.today()
    member = PartyMember(uscc=uscc, name=data.name, status=data.status.value, id_number_masked=masked,
                         id_number_hash=hashed, phone_masked=protect_phone(data.phone), captured_at=clock.now(),
                         state="active", joined_on=on)
    session.add(member)
    await session.flush()
    action = "transferred_in" if data.transferred_from else "added"
    session.add(_history(member, action, on=on, actor=principal.actor, counterpart_name=data.transferred_from))
    await _recount(session, record, _delta(member.status, 1), on=on, reason=f"member_{action}",
                   member_id=member.member_id, actor=principal.actor, outbox=outbox, settings=settings)
    record_service.mark_captured(record, on)
    return MemberDetail.model_validate(member)


async def _member_for_work(session: AsyncSession, member_id: int, principal: Principal,
                           what: str) -> tuple[PartyMember, PartyRecord]:
    require_role(principal, *PARTY_WRITERS, action_zh=what)
    member = await repository.get(session, member_id)
    if member is None:
        raise MemberNotFound(member_id)
    record = await record_service.get_for_party_work(session, member.uscc, principal, what=what)
    if member.state != "active":
        raise MemberNotActive(member.state)
    return member, record


async def update(session: AsyncSession, member_id: int, data: MemberUpdate, principal: Principal, *,
                 outbox: Outbox, settings: Settings) -> MemberDetail:
    """转正 (probationary → full) moves one member between the counts; PARTY-1..3 re-evaluated."""
    member, record = await _member_for_work(session, member_id, principal, "维护党员信息")
    on = data.effective_on or clock.today()
    if data.name:
        member.name = data.name
    if data.phone:
        member.phone_masked = protect_phone(data.phone)
    if data.status is not None and data.status.value != member.status:
        if data.status is not PartyMemberStatus.FULL:
            raise StatusChangeRefused()
        before, member.status = member.status, data.status.value
        session.add(_history(member, "converted_to_full", on=on, actor=principal.actor, from_status=before))
        await _recount(session, record, (1, -1), on=on, reason="member_converted",
                       member_id=member.member_id, actor=principal.actor, outbox=outbox, settings=settings)
    elif data.name or data.phone:
        session.add(_history(member, "updated", on=on, actor=principal.actor, from_status=member.status))
    await session.flush()
    return MemberDetail.model_validate(member)


async def transfer_out(session: AsyncSession, member_id: int, data: MemberTransferOut, principal: Principal, *,
                       outbox: Outbox, settings: Settings) -> MemberDetail:
    """组织关系转出: out of this organisation; into another one on the platform when `to_uscc` is given."""
    member, record = await _member_for_work(session, member_id, principal, "办理组织关系转出")
    on = data.effective_on or clock.today()
    target: PartyRecord | None = None
    if data.to_uscc:
        target = await record_service.get_or_404(session, require_social_org_uscc(data.to_uscc))
        if target.uscc == record.uscc:
            raise TransferRefused("不能转入本组织", "cannot transfer to the same organisation")
        if not record_service.is_active(target):
            raise TransferRefused("转入组织已注销或被撤销", "the receiving organisation is no longer active")
    member.state, member.left_on = "transferred_out", on
    session.add(_history(member, "transferred_out", on=on, actor=principal.actor, from_status=member.status,
                         counterpart_uscc=data.to_uscc, counterpart_name=data.to_unit))
    await _recount(session, record, _delta(member.status, -1), on=on, reason="member_transferred_out",
                   member_id=member.member_id, actor=principal.actor, outbox=outbox, settings=settings)
    if target is not None:
        moved = PartyMember(uscc=target.uscc, name=member.name, status=member.status,
                            id_number_masked=member.id_number_masked, id_number_hash=member.id_number_hash,
                            phone_masked=member.phone_masked, captured_at=clock.now(), state="active", joined_on=on)
        session.add(moved)
        await session.flush()
        session.add(_history(moved, "transferred_in", on=on, actor=principal.actor, counterpart_uscc=record.uscc,
                             counterpart_name=record.org_name))
        await _recount(session, target, _delta(moved.status, 1), on=on, reason="member_transferred_in",
                       member_id=moved.member_id, actor=principal.actor, outbox=outbox, settings=settings)
    await session.flush()
    return MemberDetail.model_validate(member)


async def remove(session: AsyncSession, member_id: int, data: MemberRemoval, principal: Principal, *,
                 outbox: Outbox, settings: Settings) -> MemberDetail:
    """A member leaves without a transfer (e.g. death, 出党): counts and route re-evaluated, history kept."""
    member, record = await _member_for_work(session, member_id, principal, "减少党员")
    on = data.effective_on or clock.today()
    member.state, member.left_on = "removed", on
    session.add(_history(member, "removed", on=on, actor=principal.actor, from_status=member.status,
                         note=data.reason))
    await _recount(session, record, _delta(member.status, -1), on=on, reason="member_removed",
                   member_id=member.member_id, actor=principal.actor, outbox=outbox, settings=settings)
    return MemberDetail.model_validate(member)


async def list_members(session: AsyncSession, uscc: str, principal: Principal) -> list[MemberDetail]:
    """Members' personal data: Party-building roles only (403 otherwise), identifiers masked."""
    require_role(principal, *PERSONAL_DATA_READERS, action_zh="查看党员个人信息")
    record = await record_service.get_or_404(session, uscc)
    require_jurisdiction(principal, record.division_code)
    return [MemberDetail.model_validate(m) for m in await repository.active_of(session, uscc)]


async def masked_members(session: AsyncSession, uscc: str) -> list[MemberRead]:
    """Active members, masked, for the record view shown to Party-building roles."""
    return [MemberRead(name=m.name, status=m.status, id_number=m.id_number_masked, phone=m.phone_masked)
            for m in await repository.active_of(session, uscc)]


async def history(session: AsyncSession, member_id: int, principal: Principal) -> list[MemberHistoryRead]:
    """A member's history (personal data: Party-building roles only)."""
    require_role(principal, *PERSONAL_DATA_READERS, action_zh="查看党员变动记录")
    member = await repository.get(session, member_id)
    if member is None:
        raise MemberNotFound(member_id)
    record = await record_service.get_or_404(session, member.uscc)
    require_jurisdiction(principal, record.division_code)
    return [MemberHistoryRead.model_validate(h) for h in await repository.history(session, member_id)]
