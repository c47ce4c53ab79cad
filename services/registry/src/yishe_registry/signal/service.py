"""Local flags from credit and party events, and the PARTY-5 (Xuecheng) reminder at the next filing."""

from __future__ import annotations

from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession

from yishe_contracts.events.credit import ListingChanged, ZombieConfirmed
from yishe_contracts.events.party import CoverageChanged
from yishe_contracts.events.registry import PartyReminderDelivered, PartyReminderOccasion
from yishe_kit.outbox import Outbox
from yishe_kit.principal import Principal

from ..organisation import service as organisation_service
from ..organisation.models import Organisation
from .models import OrganisationSignal

SYSTEM = {"credit": Principal(actor="credit", role="internal"), "party": Principal(actor="party", role="internal")}
OCCASION_ZH = {PartyReminderOccasion.CHANGE: "变更登记", PartyReminderOccasion.CHARTER: "章程报送",
               PartyReminderOccasion.ANNUAL_REPORT: "年度工作报告", PartyReminderOccasion.MATTER: "重大事项备案"}


async def _signal(session: AsyncSession, uscc: str) -> OrganisationSignal:
    row = await session.get(OrganisationSignal, uscc)
    if row is None:
        row = OrganisationSignal(uscc=uscc, abnormal_listed=False, serious_listed=False, party_reminder_due=False)
        session.add(row)
    return row


async def get(session: AsyncSession, uscc: str) -> OrganisationSignal | None:
    return await session.get(OrganisationSignal, uscc)


async def _known(session: AsyncSession, uscc: str) -> bool:
    return await session.get(Organisation, uscc) is not None


async def on_listing(session: AsyncSession, event: ListingChanged) -> None:
    """CR-6/CR-12 state as credit reports it (used by EVAL-9: listed organisations are not evaluated)."""
    row = await _signal(session, event.uscc)
    if row.listing_changed_on and (event.removed_on or event.listed_on) < row.listing_changed_on:
        return  # an older fact arriving late does not overwrite a newer one
    before = {"abnormal_listed": row.abnormal_listed, "serious_listed": row.serious_listed}
    row.abnormal_listed, row.serious_listed = event.abnormal_listed, event.serious_listed
    row.listing_changed_on = event.removed_on or event.listed_on
    after = {"abnormal_listed": row.abnormal_listed, "serious_listed": row.serious_listed}
    if before != after and await _known(session, event.uscc):
        await organisation_service.record_history(session, event.uscc, "credit_listing", SYSTEM["credit"],
                                                  before=before, after=after, reason=f"{event.trigger} {event.reason}")


async def on_zombie(session: AsyncSession, event: ZombieConfirmed) -> None:
    """A confirmed zombie organisation becomes a candidate for 简易注销."""
    row = await _signal(session, event.uscc)
    if row.zombie_confirmed_on == event.decided_on:
        return
    row.zombie_confirmed_on, row.zombie_evidence, row.zombie_decided_by = (event.decided_on, list(event.evidence),
                                                                           event.decided_by)
    if await _known(session, event.uscc):
        await organisation_service.record_history(session, event.uscc, "zombie_confirmed", SYSTEM["credit"],
                                                  after={"decided_on": event.decided_on.isoformat(),
                                                         "evidence": list(event.evidence)},
                                                  reason="信用部门确认为僵尸型社会组织，可启动简易注销")


async def on_coverage(session: AsyncSession, event: CoverageChanged) -> None:
    """PARTY-5 (Xuecheng): an organisation that must be covered and is not is reminded at its next filing."""
    row = await _signal(session, event.uscc)
    if row.party_as_of and event.as_of < row.party_as_of:
        return
    row.party_required, row.party_covered, row.party_reason, row.party_as_of = (
        event.required, event.covered, event.reason, event.as_of)
    row.party_reminder_due = event.required and not event.covered


async def deliver_reminders(session: AsyncSession, uscc: str, principal: Principal,
                            occasion: PartyReminderOccasion, outbox: Outbox, today: date) -> list[str]:
    """PARTY-5: at a change, filing or report the organisation is reminded once of missing Party coverage; the
    reminder is a registry fact (`registry.party_reminder.delivered.v1`). The listing and zombie flags above are
    local copies of credit's own events and emit nothing."""
    row = await session.get(OrganisationSignal, uscc)
    if row is None or not row.party_reminder_due:
        return []
    text = f"党建提醒（PARTY-5）：{row.party_reason or '按规定应建立党组织但尚未覆盖'}，请尽快落实党的组织和工作覆盖"
    row.party_reminder_due = False
    await organisation_service.record_history(session, uscc, "party_reminder", principal,
                                              after={"reminder": text, "occasion": OCCASION_ZH[occasion]},
                                              reason="PARTY-5")
    await outbox.emit(session, PartyReminderDelivered(uscc=uscc, occasion=occasion, delivered_on=today))
    return [text]


async def listed(session: AsyncSession, uscc: str) -> tuple[bool, bool]:
    row = await session.get(OrganisationSignal, uscc)
    return (row.abnormal_listed, row.serious_listed) if row else (False, False)


async def zombie_since(session: AsyncSession, uscc: str) -> date | None:
    row = await session.get(OrganisationSignal, uscc)
    return row.zombie_confirmed_on if row else None
