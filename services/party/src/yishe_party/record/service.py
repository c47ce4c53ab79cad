"""Party-building rules at registration: the formation route (PARTY-1..3) and the capture task (PARTY-5)."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from yishe_contracts.envelope import Envelope
from yishe_contracts.events.party import FormationRoute, PartyRecordOpened
from yishe_contracts.events.registry import OrganisationRegistered
from yishe_contracts.identifiers import mask_id_number, mask_phone
from yishe_kit.errors import NotFound, require_social_org_uscc
from yishe_kit.outbox import Outbox
from yishe_kit.principal import Principal

from .models import PartyMember, PartyRecord
from .schemas import MemberRead, PartyRecordRead

FULL_MEMBERS_FOR_OWN_ORGANISATION = 3
ROUTE_LABELS = {
    FormationRoute.OWN_ORGANISATION: "单独建立党组织",
    FormationRoute.JOINT_BRANCH: "建立联合党支部",
    FormationRoute.INSTRUCTOR: "选派党建工作指导员",
}


def formation_route(full_members: int, probationary_members: int) -> tuple[FormationRoute, str]:
    """PARTY-1: ≥3 full members → own organisation; PARTY-2: some members → joint branch; PARTY-3: none → instructor."""
    if full_members >= FULL_MEMBERS_FOR_OWN_ORGANISATION:
        return FormationRoute.OWN_ORGANISATION, "PARTY-1"
    if full_members + probationary_members > 0:
        return FormationRoute.JOINT_BRANCH, "PARTY-2"
    return FormationRoute.INSTRUCTOR, "PARTY-3"


def _id_hash(id_number: str) -> str:
    return hashlib.sha256(("yishe-party:" + id_number).encode()).hexdigest()


async def open_record(session: AsyncSession, event: OrganisationRegistered, envelope: Envelope, *,
                      outbox: Outbox, capture_task_days: int) -> PartyRecord:
    """三同步 (PARTY-5): at registration, open the record, capture members, set the route and the capture task."""
    existing = await session.get(PartyRecord, event.uscc)
    if existing is not None:  # one record per organisation, whatever the event id
        return existing
    route, rule = formation_route(event.party_full_members, event.party_probationary_members)
    now = datetime.now(UTC)
    record = PartyRecord(
        uscc=event.uscc, org_name=event.name, division_code=event.division_code, org_type=event.org_type.value,
        full_members=event.party_full_members, probationary_members=event.party_probationary_members,
        route=route.value, route_rule=rule,
        capture_task_status="done" if event.party_members else "open",
        capture_task_due=event.registration_date + timedelta(days=capture_task_days), opened_at=now,
    )
    session.add(record)
    for m in event.party_members:
        session.add(PartyMember(
            uscc=event.uscc, name=m.name, status=m.status.value,
            id_number_masked=mask_id_number(m.id_number) if m.id_number else None,
            id_number_hash=_id_hash(m.id_number) if m.id_number else None,
            phone_masked=mask_phone(m.phone) if m.phone else None, captured_at=now,
        ))
    await session.flush()
    await outbox.emit(session, PartyRecordOpened(
        uscc=record.uscc, full_members=record.full_members, probationary_members=record.probationary_members,
        route=route, route_rule=rule, capture_task_due=record.capture_task_due, opened_at=now,
    ))
    return record


async def get(session: AsyncSession, uscc: str, principal: Principal) -> PartyRecordRead:
    """Party membership is personal data: counts and names only for Party-building roles and internal callers."""
    record = await session.get(PartyRecord, require_social_org_uscc(uscc))
    if record is None:
        raise NotFound("party_record_not_found", f"no Party-building record for {uscc}")
    read = PartyRecordRead(
        uscc=record.uscc, route=record.route, route_rule=record.route_rule,
        route_label=ROUTE_LABELS[FormationRoute(record.route)], capture_task_status=record.capture_task_status,
        capture_task_due=record.capture_task_due, opened_at=record.opened_at,
    )
    if principal.is_any("party", "internal", "staff"):
        read.full_members, read.probationary_members = record.full_members, record.probationary_members
    if principal.is_any("party", "internal"):
        members = await session.scalars(select(PartyMember).where(PartyMember.uscc == uscc)
                                        .order_by(PartyMember.member_id))
        read.members = [MemberRead(name=m.name, status=m.status, id_number=m.id_number_masked,
                                   phone=m.phone_masked) for m in members]
    return read
