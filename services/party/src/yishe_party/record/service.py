"""Party-building records: the formation route (PARTY-1..3), the capture task (PARTY-5), counts, affiliation."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any, NamedTuple, cast

from sqlalchemy import Table
from sqlalchemy.ext.asyncio import AsyncSession

from yishe_contracts.envelope import Envelope, Event
from yishe_contracts.events.party import FormationRoute, PartyRecordOpened, PartyRecordsOpened, RouteChanged
from yishe_contracts.events.registry import OrganisationRegistered
from yishe_kit import clock
from yishe_kit.access import in_jurisdiction, require_jurisdiction, require_role
from yishe_kit.bulk import insert_rows, update_rows
from yishe_kit.errors import require_social_org_uscc
from yishe_kit.outbox import Outbox
from yishe_kit.principal import Principal

from ..config import Settings
from ..roles import PARTY_WRITERS
from . import affiliation, repository
from .exceptions import OrganisationInactive, RecordNotFound
from .models import PartyCountChange, PartyRecord
from .schemas import (
    AffiliationRead,
    CaptureConfirmation,
    CountChangeRead,
    FormationTask,
    MemberCountsUpdate,
    PartyRecordRead,
    ProfileUpdate,
)

FULL_MEMBERS_FOR_OWN_ORGANISATION = 3
ACTIVE_STATUSES = ("active", "suspended")
ROUTE_LABELS = {
    FormationRoute.OWN_ORGANISATION: "单独建立党组织",
    FormationRoute.JOINT_BRANCH: "建立联合党支部",
    FormationRoute.INSTRUCTOR: "选派党建工作指导员",
}
TASKS = {
    FormationRoute.OWN_ORGANISATION: ("establish_own_organisation", "单独建立党组织", "PARTY-1"),
    FormationRoute.JOINT_BRANCH: ("join_joint_branch", "按地域相邻、行业相近组建或加入联合党支部", "PARTY-2"),
    FormationRoute.INSTRUCTOR: ("assign_instructor", "选派党建工作指导员或指定“1+N”带动组织", "PARTY-3"),
}


def formation_route(full_members: int, probationary_members: int) -> tuple[FormationRoute, str]:
    """PARTY-1: ≥3 full members → own organisation; PARTY-2: some members → joint branch; PARTY-3: none → instructor."""
    if full_members >= FULL_MEMBERS_FOR_OWN_ORGANISATION:
        return FormationRoute.OWN_ORGANISATION, "PARTY-1"
    if full_members + probationary_members > 0:
        return FormationRoute.JOINT_BRANCH, "PARTY-2"
    return FormationRoute.INSTRUCTOR, "PARTY-3"


def is_active(record: PartyRecord, day: date | None = None) -> bool:
    """Still in Party-building work on `day`: not deregistered, revoked or cancelled by then."""
    if record.status in ACTIVE_STATUSES:
        return True
    return day is not None and record.status_effective_date is not None and day < record.status_effective_date


def refresh_affiliation(record: PartyRecord, settings: Settings) -> None:
    """PARTY-7: re-resolve the reporting line after a change of kind, supervisory unit or Party organisation."""
    record.affiliation_type, record.responsible_party_org_id, record.responsible_party_org_name = _affiliation(
        settings, division_code=record.division_code, supervisory_unit=record.supervisory_unit,
        trade_association=record.trade_association, community=record.community,
        has_party_org=record.party_org_id is not None)


def _affiliation(settings: Settings, *, division_code: str, supervisory_unit: str | None, trade_association: bool,
                 community: bool, has_party_org: bool) -> tuple[str, str | None, str | None]:
    """PARTY-7's reporting line: (affiliation type, responsible Party organisation's id and name)."""
    found = affiliation.resolve(settings.affiliation, division_code=division_code, supervisory_unit=supervisory_unit,
                                trade_association=trade_association, community=community, has_party_org=has_party_org)
    return found.type, found.responsible_id, found.responsible_name


class Opened(NamedTuple):
    """What the registration's next steps (members captured, PARTY-5; an instructor sent, PARTY-3) read of a record
    just opened by `open_records`, which writes its row without an ORM object. A record just opened has no Party
    organisation yet."""

    uscc: str
    division_code: str
    route: str


def tasks_start(event: OrganisationRegistered, learned_on: date) -> date:
    """PARTY-5 deadlines run from registration; for an organisation imported from legacy data (registered perhaps years
    before the platform knew it) from the day the platform learned of it, so its tasks do not arrive overdue."""
    if event.source == "import":
        return max(event.registration_date, learned_on)
    return event.registration_date


async def open_record(session: AsyncSession, event: OrganisationRegistered, *, outbox: Outbox,
                      settings: Settings, learned_on: date) -> PartyRecord | None:
    """三同步 (PARTY-5): at registration, open the record with its route, the capture task and its deadline.

    `learned_on`: the day registry published the organisation. Returns None when the record already exists (one
    record per organisation, whatever the event id).
    """
    if await repository.get(session, event.uscc) is not None:
        return None
    row, count, opened = _new_record(event, settings=settings, learned_on=learned_on, now=clock.now())
    record = PartyRecord(**row)
    session.add(record)
    session.add(PartyCountChange(**count))
    await session.flush()
    await outbox.emit(session, opened)
    return record


async def open_records(session: AsyncSession, items: list[tuple[OrganisationRegistered, date, Envelope]], *,
                       outbox: Outbox, settings: Settings) -> list[tuple[Opened, OrganisationRegistered, date]]:
    """`open_record` (PARTY-5) for a batch of (event, learned_on, envelope), set-based: one read of the records that
    exist, the new records and their count history (PARTY-8: the funds per member go by the counts of a day) in one
    statement each, their `PartyRecordOpened` events in one more (each caused by its registration). The first event
    about an organisation opens its record. Returns what was opened, in order."""
    firsts: dict[str, tuple[OrganisationRegistered, date, Envelope]] = {}
    for item in items:
        firsts.setdefault(item[0].uscc, item)
    existing = await repository.existing(session, sorted(firsts))
    now = clock.now()
    opened: list[tuple[Opened, OrganisationRegistered, date]] = []
    rows: list[dict[str, Any]] = []
    counts: list[dict] = []
    caused: list[tuple[Event, Envelope]] = []
    for uscc, (event, learned_on, envelope) in firsts.items():
        if uscc in existing:
            continue
        row, count, opened_event = _new_record(event, settings=settings, learned_on=learned_on, now=now)
        rows.append(row)
        opened.append((Opened(uscc, row["division_code"], row["route"]), event, learned_on))
        counts.append(count)
        caused.append((opened_event, envelope))
    if opened:
        # The records as rows, in one Core statement, no ORM object made: building and attaching 1,000 of them was
        # half of what this consumer did in a bulk import, in stretches that held its event loop (and every request
        # to it) ~0.1 s (bench/bulk_propagation.py's loop lag). The count history (PARTY-8: member counts as of a
        # day) in one more, after the records.
        await insert_rows(session, cast(Table, PartyRecord.__table__), rows, copy=True)
        await insert_rows(session, cast(Table, PartyCountChange.__table__), counts, copy=True)
        # A bulk import's records go out as bulk events (`party.records.opened.v1`, one per 256), a live one alone.
        await outbox.emit_caused_bulk(session, caused, PartyRecordsOpened)
    return opened


def _new_record(event: OrganisationRegistered, *, settings: Settings, learned_on: date,
                now: datetime) -> tuple[dict[str, Any], dict, PartyRecordOpened]:
    """The record's row (the caller writes it), its first count-history row (the caller writes it too) and the event
    announcing it."""
    route, rule = formation_route(event.party_full_members, event.party_probationary_members)
    due = tasks_start(event, learned_on) + timedelta(days=settings.capture_task_days)
    captured = bool(event.party_members)
    trade_association = affiliation.infer_trade_association(event.name)
    community = affiliation.infer_community(event.name)
    kind, responsible_id, responsible_name = _affiliation(
        settings, division_code=event.division_code, supervisory_unit=event.supervisory_unit,
        trade_association=trade_association, community=community, has_party_org=False)
    row = {
        "uscc": event.uscc, "org_name": event.name, "division_code": event.division_code,
        "org_type": event.org_type.value, "full_members": event.party_full_members,
        "probationary_members": event.party_probationary_members, "route": route.value, "route_rule": rule,
        "capture_task_status": "done" if captured else "open", "capture_task_due": due, "opened_at": now,
        "registration_date": event.registration_date, "supervisory_unit": event.supervisory_unit,
        "sector": event.sector or event.supervisory_unit, "trade_association": trade_association,
        "community": community, "affiliation_type": kind, "responsible_party_org_id": responsible_id,
        "responsible_party_org_name": responsible_name, "status": "active", "formation_due": due,
        "capture_done_on": event.registration_date if captured else None, "work_covers": 0,
    }
    count = {"uscc": event.uscc, "effective_on": event.registration_date, "full_members": event.party_full_members,
             "probationary_members": event.party_probationary_members, "route": route.value,
             "reason": "registration", "actor": "registry", "recorded_at": now}
    return row, count, PartyRecordOpened(
        uscc=event.uscc, full_members=event.party_full_members, probationary_members=event.party_probationary_members,
        route=route, route_rule=rule, capture_task_due=due, opened_at=now,
    )


async def find(session: AsyncSession, uscc: str) -> PartyRecord | None:
    return await repository.get(session, uscc)


async def find_many(session: AsyncSession, usccs: list[str]) -> dict[str, PartyRecord]:
    return await repository.get_many(session, usccs)


async def in_division(session: AsyncSession, prefix: str) -> list[PartyRecord]:
    return await repository.in_division(session, prefix)


async def counts_as_of(session: AsyncSession, usccs: list[str], day: date) -> dict[str, tuple[int, int]]:
    """Member counts on a day, from the dated count history (PARTY-8 per-member funds)."""
    return await repository.counts_as_of(session, usccs, day)


async def get_or_404(session: AsyncSession, uscc: str) -> PartyRecord:
    record = await repository.get(session, require_social_org_uscc(uscc))
    if record is None:
        raise RecordNotFound(uscc)
    return record


async def get_for_party_work(session: AsyncSession, uscc: str, principal: Principal, *, what: str) -> PartyRecord:
    """Load a record for a Party-building write: party role, within its division, organisation still active."""
    require_role(principal, *PARTY_WRITERS, action_zh=what)
    record = await get_or_404(session, uscc)
    require_jurisdiction(principal, record.division_code)
    if not is_active(record):
        raise OrganisationInactive(uscc, record.status)
    return record


def formation_task(record: PartyRecord) -> FormationTask:
    """PARTY-1..3: what the route asks for and whether the current state satisfies it."""
    route = FormationRoute(record.route)
    kind, label, rule = TASKS[route]
    return FormationTask(kind=kind, label=label, rule=rule, status="done" if requirement_met(record) else "open",
                         due=record.formation_due or record.capture_task_due)


def requirement_met(record: PartyRecord) -> bool:
    """PARTY-1: an own Party organisation; PARTY-2: any Party organisation; PARTY-3: that or an instructor / "1+N"."""
    route = FormationRoute(record.route)
    if route is FormationRoute.OWN_ORGANISATION:
        return record.party_org_formation == "own"
    if route is FormationRoute.JOINT_BRANCH:
        return record.party_org_id is not None
    return record.party_org_id is not None or record.work_covers > 0


def affiliation_read(record: PartyRecord, settings: Settings) -> AffiliationRead:
    prefix, loc = affiliation.locality_for(settings.affiliation, record.division_code)
    return AffiliationRead(
        type=record.affiliation_type or "", label=affiliation.LABELS.get(record.affiliation_type or "", ""),
        responsible_party_org_id=record.responsible_party_org_id or "",
        responsible_party_org_name=record.responsible_party_org_name or "", locality=f"{prefix or '*'} {loc.label}")


async def get_affiliation(session: AsyncSession, uscc: str, settings: Settings) -> AffiliationRead:
    """PARTY-7: the reporting line is public organisational information."""
    return affiliation_read(await get_or_404(session, uscc), settings)


def to_read(record: PartyRecord, principal: Principal, settings: Settings) -> PartyRecordRead:
    """Member counts are Party-building data: only for Party-building, registry staff and services, each within its
    jurisdiction (AUTH-2; outside it they see what the public sees)."""
    out = PartyRecordRead(
        uscc=record.uscc, route=record.route, route_rule=record.route_rule,
        route_label=ROUTE_LABELS[FormationRoute(record.route)], capture_task_status=record.capture_task_status,
        capture_task_due=record.capture_task_due, opened_at=record.opened_at, org_name=record.org_name,
        org_type=record.org_type, division_code=record.division_code, status=record.status,
        registration_date=record.registration_date, supervisory_unit=record.supervisory_unit, sector=record.sector,
        trade_association=record.trade_association, community=record.community,
        formation_task=formation_task(record),
        affiliation=affiliation_read(record, settings), party_org_id=record.party_org_id,
        coverage_flag=record.coverage_flag,
    )
    if principal.is_any("party", "internal", "staff") and in_jurisdiction(principal, record.division_code):
        out.full_members, out.probationary_members = record.full_members, record.probationary_members
    return out


async def set_counts(session: AsyncSession, record: PartyRecord, *, full: int, probationary: int,
                     effective_on: date, reason: str, actor: str, outbox: Outbox, settings: Settings,
                     member_id: int | None = None) -> bool:
    """PARTY-1..3: new member counts re-evaluate the route; a changed route is an event with a new deadline."""
    full, probationary = max(full, 0), max(probationary, 0)
    route, rule = formation_route(full, probationary)
    changed = route.value != record.route
    before = FormationRoute(record.route)
    record.full_members, record.probationary_members = full, probationary
    if changed:
        record.route, record.route_rule, record.route_changed_on = route.value, rule, effective_on
        record.formation_due = effective_on + timedelta(days=settings.formation_days)
    session.add(PartyCountChange(
        uscc=record.uscc, effective_on=effective_on, full_members=full, probationary_members=probationary,
        route=record.route, reason=reason, member_id=member_id, actor=actor, recorded_at=clock.now()))
    await session.flush()
    if changed:
        await outbox.emit(session, RouteChanged(
            uscc=record.uscc, full_members=full, probationary_members=probationary, from_route=before,
            to_route=route, route_rule=rule, changed_at=clock.now()))
    return changed


async def correct_counts(session: AsyncSession, uscc: str, data: MemberCountsUpdate, principal: Principal, *,
                         outbox: Outbox, settings: Settings) -> PartyRecordRead:
    """PARTY-5: counts corrected by the Party-building role (members not captured one by one)."""
    record = await get_for_party_work(session, uscc, principal, what="更正党员人数")
    await set_counts(session, record, full=data.full_members, probationary=data.probationary_members,
                     effective_on=data.effective_on or clock.today(), reason="counts_corrected",
                     actor=principal.actor, outbox=outbox, settings=settings)
    return to_read(record, principal, settings)


def mark_capture_overdue(records: list[PartyRecord], as_of: date) -> list[str]:
    """PARTY-5: an open capture task past its deadline becomes overdue (never back to open)."""
    overdue = [r for r in records if r.capture_task_status == "open" and r.capture_task_due < as_of and is_active(r)]
    for r in overdue:
        r.capture_task_status = "overdue"
    return [r.uscc for r in overdue]


def mark_captured(record: PartyRecord, on: date) -> None:
    """PARTY-5: the member-capture task is done."""
    if record.capture_task_status != "done":
        record.capture_task_status, record.capture_done_on = "done", on


async def confirm_capture(session: AsyncSession, uscc: str, data: CaptureConfirmation, principal: Principal,
                          settings: Settings) -> PartyRecordRead:
    """PARTY-5: the Party-building role confirms the capture is complete (also with no members)."""
    record = await get_for_party_work(session, uscc, principal, what="确认党员信息采集")
    mark_captured(record, data.confirmed_on or clock.today())
    await session.flush()
    return to_read(record, principal, settings)


async def update_profile(session: AsyncSession, uscc: str, data: ProfileUpdate, principal: Principal,
                         settings: Settings) -> PartyRecordRead:
    """PARTY-2 / PARTY-7: sector, supervisory unit and kind decide suggestions and the reporting line."""
    record = await get_for_party_work(session, uscc, principal, what="维护党建档案")
    for field in data.model_fields_set:
        setattr(record, field, getattr(data, field))
    refresh_affiliation(record, settings)
    await session.flush()
    return to_read(record, principal, settings)


def change_status(record: PartyRecord, status: str, effective_date: date) -> bool:
    """A registration status change from the registry; an older decision never overrides a newer one."""
    if record.status_effective_date is not None and effective_date < record.status_effective_date:
        return False
    changed = record.status != status
    record.status, record.status_effective_date = status, effective_date
    return changed


def attach_party_org(record: PartyRecord, org_id: int | None, formation: str | None, settings: Settings) -> None:
    """The organisation's current Party organisation changed: the reporting line may change (PARTY-7)."""
    record.party_org_id, record.party_org_formation = org_id, formation
    refresh_affiliation(record, settings)


def set_work_covers(record: PartyRecord, active_covers: int) -> None:
    """Kept by the talent domain: how many instructors / liaison officers / "1+N" leads cover it now (PARTY-3)."""
    record.work_covers = active_covers


async def set_work_covers_many(session: AsyncSession, covers: dict[str, int]) -> None:
    """`set_work_covers` for records opened by `open_records` (rows, no ORM object): one Core UPDATE statement."""
    if covers:
        await update_rows(session, cast(Table, PartyRecord.__table__), "uscc",
                          [{"uscc": uscc, "work_covers": n} for uscc, n in covers.items()])


async def count_history(session: AsyncSession, uscc: str, principal: Principal) -> list[CountChangeRead]:
    """The dated member counts and routes of an organisation."""
    require_role(principal, "party", "staff", "internal", action_zh="查看党员人数变化")
    record = await get_or_404(session, uscc)
    require_jurisdiction(principal, record.division_code)
    return [CountChangeRead.model_validate(c) for c in await repository.count_changes(session, uscc)]
