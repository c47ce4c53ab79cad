"""The one table of subjects: who owns each event, its payload model and who consumes it.

Each owner declares its rows as `SPECS` next to its event models (events/<owner>.py); this module joins them.
"""

from __future__ import annotations

from .envelope import Event
from .events import credit, party, procurement, registry
from .spec import SubjectSpec

OWNERS = ("registry", "credit", "procurement", "party")
DLQ_STREAM = "DLQ"
DLQ_PREFIX = "dlq"

SUBJECTS: dict[str, SubjectSpec] = {
    s.subject: s for module in (registry, credit, procurement, party) for s in module.SPECS
}


def stream_name(owner: str) -> str:
    """One JetStream stream per owning service, upper case (REGISTRY captures `registry.>`)."""
    return owner.upper()


def owner_of(subject: str) -> str:
    return subject.split(".", 1)[0]


def spec_for(model: type[Event]) -> SubjectSpec:
    return SUBJECTS[model.subject_name]


__all__ = ["DLQ_PREFIX", "DLQ_STREAM", "OWNERS", "SUBJECTS", "SubjectSpec", "owner_of", "spec_for", "stream_name"]
