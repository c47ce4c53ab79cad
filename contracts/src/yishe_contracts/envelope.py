"""CloudEvents 1.0 structured-mode JSON envelope shared by every yishe event."""

from __future__ import annotations

import hashlib
from datetime import UTC, date, datetime
from typing import Any, ClassVar
from uuid import UUID, uuid5
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict, Field, model_validator
from uuid6 import uuid7

BUSINESS_TZ = ZoneInfo("Asia/Shanghai")
"""Business dates are Asia/Shanghai calendar days (the kit clock's zone)."""


class Event(BaseModel):
    """Base of every event payload: frozen, unknown fields ignored (consumers tolerate additions)."""

    model_config = ConfigDict(frozen=True, extra="ignore")
    subject_name: ClassVar[str]
    """The NATS subject, `<owner>.<entity>.<event>.v<major>`; also the CloudEvents `type`."""
    effective_field: ClassVar[str | None] = None
    """The payload field holding the business date the event takes effect under its rule (e.g. a registration's
    `registration_date`); None: the event says no date of its own (the outbox then uses its cause's, or today)."""

    bulk_item: ClassVar[type[Event] | None] = None
    """For a bulk event: the model of each item it carries (a list in `bulk_field`), each item handled as that
    model's own event would be (`bulk_items`)."""
    bulk_field: ClassVar[str] = ""

    def effective_on(self) -> date | None:
        """The business date this event takes effect, from its own rule date (None when it carries none)."""
        value = getattr(self, self.effective_field, None) if self.effective_field else None
        if isinstance(value, datetime):
            return (value if value.tzinfo else value.replace(tzinfo=UTC)).astimezone(BUSINESS_TZ).date()
        return value if isinstance(value, date) else None

    def cloudevent_subject(self) -> str | None:
        """The CloudEvents `subject`: the organisation's USCC where the event has one."""
        return getattr(self, "uscc", None)


class Envelope(BaseModel):
    """A CloudEvents 1.0 event (structured JSON) with correlation/causation/effective-date extensions.

    `time` is when the event was recorded; the extension `effectivedate` is the business date (Asia/Shanghai) it
    takes effect under its rule: an imported registration's registration date, a listing's decision date, a
    grade's first valid day. Producers always set it (kit outbox); it is optional in the schema so events written
    before it existed stay valid, and a reader without it takes the business date of `time`."""

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
    # CloudEvents distributed-tracing extension: the W3C trace context of the request that caused the event.
    traceparent: str | None = None
    tracestate: str | None = None
    effectivedate: date | None = Field(default=None, description="extension: the business date (Asia/Shanghai) "
                                       "the event takes effect; absent on events recorded before it existed")
    data: dict[str, Any]

    @classmethod
    def wrap(
        cls,
        event: Event,
        *,
        source: str,
        correlation_id: str | None = None,
        causation_id: str | None = None,
        trace: dict[str, str] | None = None,
        effective_date: date | None = None,
        time: datetime | None = None,
        id: str | None = None,
    ) -> Envelope:
        """`effective_date` defaults to the event's own rule date (`Event.effective_on`), `time` to now, `id` to a
        new UUIDv7 (an event caused by another one is given `caused_event_id` by the kit outbox)."""
        return cls(
            **({"id": id} if id else {}),
            time=time or datetime.now(UTC),
            source=f"/yishe/{source}",
            type=event.subject_name,
            subject=event.cloudevent_subject(),
            correlationid=correlation_id,
            causationid=causation_id,
            traceparent=(trace or {}).get("traceparent"),
            tracestate=(trace or {}).get("tracestate"),
            effectivedate=effective_date or event.effective_on(),
            data=event.model_dump(mode="json"),
        )

    def effective_day(self) -> date:
        """The business date the event takes effect: `effectivedate`, else the business date of `time`."""
        if self.effectivedate is not None:
            return self.effectivedate
        at = self.time if self.time.tzinfo else self.time.replace(tzinfo=UTC)
        return at.astimezone(BUSINESS_TZ).date()

    def to_json_bytes(self) -> bytes:
        return self.model_dump_json(exclude_none=True).encode("utf-8")


CAUSED_NAMESPACE = UUID("6f1d3c1e-2b8a-5e47-9c1a-7a3e0d5b9f20")
"""The namespace of `caused_event_id` (a fixed, arbitrary UUID: changing it would change every caused id)."""


def caused_event_id(consumer: str, cause_id: str, type_: str, subject: str | None, ordinal: int = 0) -> str:
    """The id of an event emitted while service `consumer` handles event `cause_id`: a name-based UUID of the
    consumer, the cause, the emitted event's type and subject, and its ordinal among the events of that type and
    subject the handling emits (RFC 9562 v5; v8 keeping the time prefix of a UUIDv7 cause). Handling the same event
    again — a database restored from a backup replaying the stream — emits the same event, which every downstream
    inbox then drops."""
    name = "\n".join((consumer, cause_id, type_, subject or "", str(ordinal)))
    cause = _uuid(cause_id)
    if cause is None or cause.version not in (7, 8):
        return str(uuid5(CAUSED_NAMESPACE, name))
    # A time-ordered cause (a UUIDv7, or one of the UUIDv8 ids derived here and in `bulk_item_id`): keep its 48-bit
    # millisecond prefix so caused ids stay time-ordered like the outbox's own (UUIDv8 layout, RFC 9562 §5.8: the
    # rest from SHA-256 of the name). A UUIDv8 cause also passes on its next 12 bits (a bulk item's index): the
    # events caused by one bulk event's items follow each other in every index keyed by event id.
    digest = int.from_bytes(hashlib.sha256(name.encode("utf-8")).digest()[:10], "big")  # 80 bits
    middle = (cause.int >> 64) & 0xFFF if cause.version == 8 else digest >> 68
    return _v8(cause, middle, digest)


def _uuid(text: str) -> UUID | None:
    try:
        return UUID(text)
    except ValueError:
        return None


def _v8_head(prefix: UUID) -> int:
    """`prefix`'s 48-bit millisecond time with the UUIDv8 version and variant bits: what `_v8` ORs the rest into."""
    return ((prefix.int >> 80) << 80) | (0x8 << 76) | (0b10 << 62)


def _v8(prefix: UUID, middle: int, digest: int, head: int | None = None) -> str:
    """A UUIDv8: `prefix`'s 48-bit millisecond time, version 8, 12 bits `middle`, the variant, 62 bits of `digest`
    (`head`: `_v8_head(prefix)`, when the caller has it already). Formatted as `str(UUID(int=…))` would, without
    building the UUID: a bulk event's thousand item ids are made on every delivery to every consumer."""
    value = (_v8_head(prefix) if head is None else head) | ((middle & 0xFFF) << 64) | (digest & (2**62 - 1))
    h = f"{value:032x}"
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


def bulk_item_id(bulk_id: str, index: int) -> str:
    """The event id of item `index` of bulk event `bulk_id`, the same at every delivery, so each item dedupes on its
    own (inbox, change feed). A time-ordered bulk id (UUIDv7, as every outbox gives): a UUIDv8 with the bulk event's
    millisecond prefix, the item's index (12 bits) and 62 bits of SHA-256 of both, so a bulk event's items sort
    together and in order. A name-based UUIDv5 of both before (2026-12-06): a million imported organisations' ids
    were spread at random over every inbox's and feed's event-id index, each insert on a page of its own.
    Another bulk id: the UUIDv5."""
    return _item_id(UUID(bulk_id), index)


def _item_id(bulk: UUID, index: int, text: str | None = None, head: int | None = None) -> str:
    """`text`, `head`: `str(bulk)` and `_v8_head(bulk)`, when the caller has them already (one bulk event's items)."""
    if bulk.version not in (7, 8):
        return str(uuid5(bulk, str(index)))
    digest = int.from_bytes(hashlib.sha256(f"{text or bulk}\n{index}".encode()).digest()[:8], "big")
    return _v8(bulk, index, digest, head)


class BulkItemContext(BaseModel):
    """What one item of a bulk event would have carried in its own envelope, where that differs from the bulk
    event's: a bulk event made of events each caused by its own event (a consumer's cascade of a bulk import) keeps
    each one's id, causation and effective date, so consumers see exactly the single events (`bulk_items`)."""

    model_config = ConfigDict(frozen=True)

    id: str
    causationid: str | None = None
    effectivedate: date | None = None


class CausedBulk(Event):
    """Base of a bulk event made of caused events (`credit.profiles.opened.v1`, `party.records.opened.v1`): besides
    its items it lists, per item and in order, the id, causation and effective date the item's own event would have
    carried (`contexts`; written by the kit's `Outbox.emit_caused_bulk`)."""

    contexts: list[BulkItemContext] | None = Field(
        default=None, description="per item, in order: the id, causation and effective date of its own event")

    @model_validator(mode="after")
    def _one_context_per_item(self) -> CausedBulk:
        if self.contexts is not None and len(self.contexts) != len(getattr(self, self.bulk_field)):
            raise ValueError(f"contexts: one per item of {self.bulk_field}")
        return self


def bulk_items(envelope: Envelope, bulk: Event) -> list[tuple[Envelope, Event]]:
    """The items of a bulk event, each as the envelope and payload of the single event it stands for: its own id
    (`bulk_item_id`), the item model's type, its organisation as subject, its own effective date; source, time,
    correlation, causation and trace context of the bulk event. A bulk event with `contexts` (one
    `BulkItemContext` per item) gives each item the id, causation and effective date listed there. (Built without
    validating again: the bulk event and its items were validated as they were parsed.)"""
    model = bulk.bulk_item
    assert model is not None, f"{type(bulk).__name__} carries no items"
    raw = envelope.data.get(bulk.bulk_field) or []
    items = getattr(bulk, bulk.bulk_field)
    contexts = bulk.contexts if isinstance(bulk, CausedBulk) else None
    bulk_id = UUID(envelope.id)  # parsed once, not once an item
    text, head = str(bulk_id), _v8_head(bulk_id)
    # What every item shares, constructed once; each item is a copy with what is its own (pydantic's `model_copy`,
    # also without validation, costs about half of `model_construct` with all thirteen fields).
    shared = Envelope.model_construct(
        specversion="1.0", source=envelope.source, type=model.subject_name, time=envelope.time,
        datacontenttype=envelope.datacontenttype, correlationid=envelope.correlationid,
        traceparent=envelope.traceparent, tracestate=envelope.tracestate, data={})
    out = []
    for index, item in enumerate(items):
        ctx = contexts[index] if contexts is not None else None
        out.append((shared.model_copy(update={
            "id": ctx.id if ctx else _item_id(bulk_id, index, text, head), "subject": item.cloudevent_subject(),
            "causationid": ctx.causationid if ctx else envelope.causationid,
            "effectivedate": ctx.effectivedate if ctx and ctx.effectivedate else item.effective_on(),
            "data": raw[index] if index < len(raw) else item.model_dump(mode="json")}), item))
    return out
