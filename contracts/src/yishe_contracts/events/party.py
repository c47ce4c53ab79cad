"""Events owned by the Party-building service (党建, 红社领航)."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import ClassVar

from pydantic import Field

from ..envelope import Event


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
