"""CloudEvents 1.0 structured-mode JSON envelope shared by every yishe event."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict, Field
from uuid6 import uuid7


class Event(BaseModel):
    """Base of every event payload: frozen, unknown fields ignored (consumers tolerate additions)."""

    model_config = ConfigDict(frozen=True, extra="ignore")
    subject_name: ClassVar[str]
    """The NATS subject, `<owner>.<entity>.<event>.v<major>`; also the CloudEvents `type`."""

    def cloudevent_subject(self) -> str | None:
        """The CloudEvents `subject`: the organisation's USCC where the event has one."""
        return getattr(self, "uscc", None)


class Envelope(BaseModel):
    """A CloudEvents 1.0 event (structured JSON) with correlation/causation extensions."""

    model_config = ConfigDict(extra="allow")

    specversion: str = "1.0"
    # UUIDv7 (RFC 9562): time-ordered, so each service's outbox index on event ids grows at its end instead of
    # taking random inserts (at a million events that index no longer fits the page cache); still unique and opaque.
    id: str = Field(default_factory=lambda: str(uuid7()))
    source: str
    type: str
    subject: str | None = None
    time: datetime = Field(default_factory=lambda: datetime.now(UTC))
    datacontenttype: str = "application/json"
    correlationid: str | None = None
    causationid: str | None = None
    data: dict[str, Any]

    @classmethod
    def wrap(
        cls,
        event: Event,
        *,
        source: str,
        correlation_id: str | None = None,
        causation_id: str | None = None,
    ) -> Envelope:
        return cls(
            source=f"/yishe/{source}",
            type=event.subject_name,
            subject=event.cloudevent_subject(),
            correlationid=correlation_id,
            causationid=causation_id,
            data=event.model_dump(mode="json"),
        )

    def to_json_bytes(self) -> bytes:
        return self.model_dump_json(exclude_none=True).encode("utf-8")
