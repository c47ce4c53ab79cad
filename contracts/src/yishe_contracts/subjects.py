"""The one table of subjects: who owns each event, its payload model and who consumes it."""

from __future__ import annotations

from dataclasses import dataclass

from .envelope import Event
from .events.credit import CreditProfileOpened
from .events.party import PartyRecordOpened
from .events.registry import OrganisationRegistered

OWNERS = ("registry", "credit", "procurement", "party")
DLQ_STREAM = "DLQ"
DLQ_PREFIX = "dlq"


@dataclass(frozen=True)
class SubjectSpec:
    subject: str
    model: type[Event]
    owner: str
    consumers: tuple[str, ...]
    summary: str


SUBJECTS: dict[str, SubjectSpec] = {
    s.subject: s
    for s in (
        SubjectSpec(
            OrganisationRegistered.subject_name,
            OrganisationRegistered,
            "registry",
            ("party", "credit", "procurement", "gateway"),
            "An organisation was registered and issued its USCC.",
        ),
        SubjectSpec(
            CreditProfileOpened.subject_name,
            CreditProfileOpened,
            "credit",
            ("procurement", "gateway"),
            "A credit profile was opened with its first colour.",
        ),
        SubjectSpec(
            PartyRecordOpened.subject_name,
            PartyRecordOpened,
            "party",
            ("gateway",),
            "A Party-building record was opened with a member-capture task and formation route.",
        ),
    )
}


def stream_name(owner: str) -> str:
    """One JetStream stream per owning service, upper case (REGISTRY captures `registry.>`)."""
    return owner.upper()


def owner_of(subject: str) -> str:
    return subject.split(".", 1)[0]


def spec_for(model: type[Event]) -> SubjectSpec:
    return SUBJECTS[model.subject_name]
