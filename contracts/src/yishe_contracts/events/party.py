"""Events owned by the Party-building service (党建, 红社领航)."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import ClassVar

from pydantic import Field

from ..envelope import CausedBulk, Event
from ..spec import spec


class FormationRoute(StrEnum):
    """How an organisation is covered by Party work (PARTY-1..PARTY-3)."""

    OWN_ORGANISATION = "own_organisation"
    JOINT_BRANCH = "joint_branch"
    INSTRUCTOR = "instructor"


class PartyRecordOpened(Event):
    """An organisation's Party-building record was opened at registration, with its member-capture task (PARTY-5)."""

    subject_name: ClassVar[str] = "party.record.opened.v1"

    uscc: str = Field(min_length=18, max_length=18)
    full_members: int = Field(ge=0)
    probationary_members: int = Field(ge=0)
    route: FormationRoute
    route_rule: str
    capture_task_due: date
    opened_at: datetime


class PartyRecordsOpened(CausedBulk):
    """Party-building records opened together: the records party opened for the registrations of one bulk import
    chunk (`registry.organisations.imported.v1`), each exactly the `party.record.opened.v1` it would otherwise emit,
    under the id, causation and effective date in `contexts` (`yishe_contracts.envelope.bulk_items`). Records
    opened for live registrations keep the single event."""

    subject_name: ClassVar[str] = "party.records.opened.v1"
    bulk_item: ClassVar[type[Event] | None] = PartyRecordOpened
    bulk_field: ClassVar[str] = "records"

    records: list[PartyRecordOpened] = Field(min_length=1)


class RouteChanged(Event):
    """Member counts changed and the required formation route was re-evaluated (PARTY-1..3)."""

    subject_name: ClassVar[str] = "party.route.changed.v1"

    uscc: str = Field(min_length=18, max_length=18)
    full_members: int = Field(ge=0)
    probationary_members: int = Field(ge=0)
    from_route: FormationRoute
    to_route: FormationRoute
    route_rule: str
    changed_at: datetime


class CoverageChanged(Event):
    """Whether an organisation that must be covered by Party work is covered (PARTY-5; CR-6.2 trigger when not)."""

    subject_name: ClassVar[str] = "party.coverage.changed.v1"
    effective_field: ClassVar[str | None] = "as_of"

    uscc: str = Field(min_length=18, max_length=18)
    required: bool = Field(description="an own Party organisation is required (PARTY-1)")
    covered: bool
    route: FormationRoute
    rule: str
    reason: str
    due_date: date | None = None
    as_of: date


SPECS = (
    spec(PartyRecordOpened, ("gateway",), "Party-building record opened with capture task and formation route."),
    spec(PartyRecordsOpened, ("gateway",),
         "Party records opened for one bulk import chunk's registrations (bulk; items as party.record.opened)."),
    spec(RouteChanged, ("gateway",), "The required formation route changed."),
    spec(CoverageChanged, ("credit", "registry", "cultivation", "gateway"),
         "Party coverage changed (CR-6.2 when required and not covered)."),
)
