"""SubjectSpec: one row of the subject table (declared next to each owner's events)."""

from __future__ import annotations

from dataclasses import dataclass

from .envelope import Event


@dataclass(frozen=True)
class SubjectSpec:
    subject: str
    model: type[Event]
    owner: str
    consumers: tuple[str, ...]
    summary: str


def spec(model: type[Event], consumers: tuple[str, ...], summary: str) -> SubjectSpec:
    return SubjectSpec(model.subject_name, model, model.subject_name.split(".", 1)[0], consumers, summary)
