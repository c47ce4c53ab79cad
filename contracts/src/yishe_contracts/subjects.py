"""The one table of subjects: who owns each event, its payload model and who consumes it.

Each owner declares its rows as `SPECS` next to its event models (events/<owner>.py); this module joins them.
"""

from __future__ import annotations

from .envelope import Event
from .events import credit, cultivation, party, procurement, registry
from .spec import SubjectSpec

OWNERS = ("registry", "credit", "procurement", "party", "cultivation")
DLQ_STREAM = "DLQ"
DLQ_PREFIX = "dlq"

SUBJECTS: dict[str, SubjectSpec] = {
    s.subject: s for module in (registry, credit, procurement, party, cultivation) for s in module.SPECS
}

BULK_CARRIERS: dict[str, tuple[type[Event], ...]] = {}
"""Item subject → the bulk events that carry items of it (`Event.bulk_item`): whoever handles the item subject
handles these too, item by item (the kit does it for every `On`)."""
for _spec in SUBJECTS.values():
    if _spec.model.bulk_item is not None:
        BULK_CARRIERS.setdefault(_spec.model.bulk_item.subject_name, ())
        BULK_CARRIERS[_spec.model.bulk_item.subject_name] += (_spec.model,)


def stream_name(owner: str) -> str:
    """One JetStream stream per owning service, upper case (REGISTRY captures `registry.>`)."""
    return owner.upper()


def owner_of(subject: str) -> str:
    return subject.split(".", 1)[0]


def spec_for(model: type[Event]) -> SubjectSpec:
    return SUBJECTS[model.subject_name]


__all__ = ["BULK_CARRIERS", "DLQ_PREFIX", "DLQ_STREAM", "OWNERS", "SUBJECTS", "SubjectSpec", "owner_of", "spec_for",
           "stream_name"]
