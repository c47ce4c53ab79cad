"""Registry lifecycle → Party-building: 三同步 at registration (PARTY-5), leaving coverage at deregistration."""

from __future__ import annotations

from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession

from yishe_contracts.envelope import Envelope
from yishe_contracts.events.registry import (
    FilingChanged,
    FilingStatus,
    OrganisationRegistered,
    OrganisationStatusChanged,
)
from yishe_kit import clock
from yishe_kit.access import in_jurisdiction
from yishe_kit.outbox import Outbox
from yishe_kit.principal import Principal

from ..config import Settings
from ..member import service as member_service
from ..party_org import service as party_org_service
from ..record import service as record_service
from ..record.exceptions import RecordNotFound
from ..record.schemas import PartyRecordRead
from ..roles import PERSONAL_DATA_READERS
from ..talent import service as talent_service

ACTIVE = ("active", "suspended")


async def on_registered(session: AsyncSession, event: OrganisationRegistered, *, outbox: Outbox,
                        settings: Settings, learned_on: date | None = None) -> None:
    """三同步 (PARTY-5): open the record with its route and capture task, keep the captured members, and send an
    instructor at once to an organisation without members (PARTY-3; Xuecheng: 同步选派党建工作指导员).
    `learned_on`: the day registry published the organisation (today when not given)."""
    learned_on = learned_on or clock.today()
    record = await record_service.open_record(session, event, outbox=outbox, settings=settings, learned_on=learned_on)
    if record is None:
        return
    if event.party_members:
        await member_service.capture_at_registration(session, record, event.party_members, settings=settings,
                                                     on=event.registration_date)
    await talent_service.auto_assign(session, record, on=record_service.tasks_start(event, learned_on),
                                     settings=settings, actor="system:registration")


async def on_registered_many(session: AsyncSession, items: list[tuple[OrganisationRegistered, date, Envelope]], *,
                             outbox: Outbox, settings: Settings) -> None:
    """`on_registered` for a batch of (event, learned_on, envelope), set-based (yishe_kit.context.BatchContext):
    records opened together, members captured, instructors sent from one read of the pool (PARTY-3, PARTY-5)."""
    opened = await record_service.open_records(session, items, outbox=outbox, settings=settings)
    for record, event, _ in opened:
        if event.party_members:
            await member_service.capture_at_registration(session, record, event.party_members, settings=settings,
                                                         on=event.registration_date)
    await talent_service.auto_assign_many(
        session, [(record, record_service.tasks_start(event, learned_on)) for record, event, learned_on in opened],
        settings=settings, actor="system:registration")


async def on_status_changed(session: AsyncSession, event: OrganisationStatusChanged, *, settings: Settings) -> None:
    """A deregistered, cancelled or revoked organisation leaves coverage: its instructors and joint-branch place are
    freed from the effective date; the daily job withdraws any coverage flag (CR-6.2)."""
    record = await record_service.find(session, event.uscc)
    if record is None:  # the registration event has not arrived yet: let the bus redeliver
        raise RecordNotFound(event.uscc)
    if not record_service.change_status(record, event.to_status.value, event.effective_date):
        return
    if event.to_status.value not in ACTIVE:
        reason = f"社会组织{event.to_status.value}（{event.rule}）"
        await talent_service.end_all(session, record, on=event.effective_date, reason=reason)
        await party_org_service.leave_all(session, record.uscc, on=event.effective_date, reason=reason,
                                          settings=settings)
    await session.flush()


async def on_filing_changed(session: AsyncSession, event: FilingChanged, *, settings: Settings) -> None:
    """PARTY-7 / PARTY-13: a filed community organisation that goes on to register is a community organisation: the
    community (village) Party organisation leads its Party work. Every filing is kept for PARTY-13 报到."""
    from ..community import service as community_service

    await community_service.keep_filing(session, event)
    if event.status is not FilingStatus.REGISTERED or not event.uscc:
        return
    record = await record_service.find(session, event.uscc)
    if record is None:  # the registration event has not arrived yet: let the bus redeliver
        raise RecordNotFound(event.uscc)
    if not record.community:
        record.community = True
        record_service.refresh_affiliation(record, settings)
        await session.flush()


async def view(session: AsyncSession, uscc: str, principal: Principal, settings: Settings) -> PartyRecordRead:
    """The record as the caller may see it: members (masked) only for Party-building roles."""
    record = await record_service.get_or_404(session, uscc)
    out = record_service.to_read(record, principal, settings)
    if principal.is_any(*PERSONAL_DATA_READERS) and in_jurisdiction(principal, record.division_code):
        out.members = await member_service.masked_members(session, uscc)
    return out
