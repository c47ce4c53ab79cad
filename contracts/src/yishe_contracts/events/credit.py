"""Events owned by the credit service (信用)."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import ClassVar

from pydantic import Field

from ..envelope import CausedBulk, Event
from ..spec import spec
from .common import Colour


class CreditProfileOpened(Event):
    """An organisation's credit profile was opened with its first 分色监管 colour (CODE-3)."""

    subject_name: ClassVar[str] = "credit.profile.opened.v1"

    uscc: str = Field(min_length=18, max_length=18)
    name: str
    colour: Colour
    colour_rule: str = Field(description="the CODE-3 rule that decided the colour")
    colour_reason: str
    abnormal_listed: bool = False
    serious_listed: bool = False
    opened_at: datetime


class CreditProfilesOpened(CausedBulk):
    """Credit profiles opened together: the profiles credit opened for the registrations of one bulk import chunk
    (`registry.organisations.imported.v1`), each exactly the `credit.profile.opened.v1` it would otherwise emit.
    Consumers treat it as that many events, each under the id, causation (its registration) and effective date in
    `contexts` (`yishe_contracts.envelope.bulk_items`). Profiles opened for live registrations keep the single
    event."""

    subject_name: ClassVar[str] = "credit.profiles.opened.v1"
    bulk_item: ClassVar[type[Event] | None] = CreditProfileOpened
    bulk_field: ClassVar[str] = "profiles"

    profiles: list[CreditProfileOpened] = Field(min_length=1)


class CreditList(StrEnum):
    ABNORMAL = "abnormal"  # 活动异常名录 (CR-6)
    SERIOUS = "serious"  # 严重违法失信名单 (CR-12)


class ListingAction(StrEnum):
    LISTED = "listed"
    RELISTED = "relisted"  # CR-9: a new event while listed restarts the clock
    REMOVED = "removed"
    ESCALATED = "escalated"  # CR-11: two full years on the abnormal list → serious list


class ListingChanged(Event):
    """An organisation was put on, or taken off, one of the two credit lists, with the rule and the evidence."""

    subject_name: ClassVar[str] = "credit.listing.changed.v1"

    uscc: str = Field(min_length=18, max_length=18)
    list_type: CreditList
    action: ListingAction
    trigger: str = Field(description="the CR trigger, e.g. CR-6.1 or CR-12.5")
    reason: str = Field(description="public reason category, e.g. 未按规定报送年度工作报告")
    evidence: list[str] = Field(default_factory=list)
    listed_on: date
    removable_from: date | None = Field(default=None, description="earliest removal date the rules allow")
    removed_on: date | None = None
    decided_by: str
    abnormal_listed: bool = Field(description="state after this change")
    serious_listed: bool = Field(description="state after this change")
    rule: str | None = Field(default=None, description="the rule that decided this change: the trigger when "
                             "listed, CR-9 when re-listed, CR-10/CR-13 removal, CR-11 escalation, CR-15 correction")
    end_reason: str | None = Field(default=None, description="public removal reason (CR-14), when taken off")
    legal_basis: str | None = None
    entry_id: int | None = Field(default=None, description="credit's id of the list entry")
    escalates_on: date | None = Field(default=None, description="CR-11: the day an unresolved abnormal listing "
                                      "moves to the serious list")

    def effective_on(self) -> date | None:
        """An entry that ended (removed, or escalated to the serious list: CR-10, CR-11, CR-13) takes effect on the
        day it ended, anything else on its listing day (CR-9, CR-14)."""
        return self.removed_on or self.listed_on


class ColourChanged(Event):
    """The 分色监管 colour changed (CODE-3), with the rule that decided it and its public reason category."""

    subject_name: ClassVar[str] = "credit.colour.changed.v1"
    effective_field: ClassVar[str | None] = "as_of"

    uscc: str = Field(min_length=18, max_length=18)
    from_colour: Colour | None
    to_colour: Colour
    rule: str
    reason: str
    changed_at: datetime
    as_of: date | None = Field(default=None, description="the day the colour was decided for (daily job as_of)")
    until: date | None = Field(default=None, description="the earliest day the deciding condition can end under "
                               "the rules, where it is a date (none: it waits for an obligation or a decision)")


class ZombieConfirmed(Event):
    """The bureau confirmed a zombie (僵尸型) organisation; registry may start simple deregistration (简易注销)."""

    subject_name: ClassVar[str] = "credit.zombie.confirmed.v1"
    effective_field: ClassVar[str | None] = "decided_on"

    uscc: str = Field(min_length=18, max_length=18)
    evidence: list[str]
    decided_on: date
    decided_by: str


SPECS = (
    spec(CreditProfileOpened, ("procurement", "cultivation", "gateway"),
         "A credit profile was opened with its first colour."),
    spec(CreditProfilesOpened, ("procurement", "cultivation", "gateway"),
         "Credit profiles opened for one bulk import chunk's registrations (bulk; items as credit.profile.opened)."),
    spec(ListingChanged, ("procurement", "registry", "gateway"), "Put on / taken off the abnormal or serious list."),
    spec(ColourChanged, ("procurement", "cultivation", "gateway"), "The 分色监管 colour changed (CODE-3)."),
    spec(ZombieConfirmed, ("registry", "gateway"), "A zombie organisation was confirmed for simple deregistration."),
)
