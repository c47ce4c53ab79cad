"""Our envelope is a CloudEvents 1.0 structured JSON event: the official SDK reads what we write, and back."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from cloudevents.core.formats.json import JSONFormat
from cloudevents.core.v1.event import CloudEvent
from cloudevents.v1.http import from_json as legacy_from_json
from jsonschema import Draft202012Validator

from yishe_contracts import export
from yishe_contracts.envelope import Envelope
from yishe_contracts.subjects import SUBJECTS

CONTRACTS = Path(__file__).resolve().parents[1]
SPECS = [pytest.param(spec, id=subject) for subject, spec in SUBJECTS.items()]


def _example_event(spec):
    path = min((CONTRACTS / "examples" / spec.subject).glob("*.json"))
    return spec.model.model_validate(json.loads(path.read_text(encoding="utf-8")))


def _chinese_strings(value) -> list[str]:
    if isinstance(value, str):
        return [value] if any("\u4e00" <= ch <= "\u9fff" for ch in value) else []
    if isinstance(value, dict):
        return [s for v in value.values() for s in _chinese_strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in _chinese_strings(v)]
    return []


@pytest.mark.parametrize("spec", SPECS)
def test_sdk_reads_envelope_when_wrapped_and_serialised(spec):
    event = _example_event(spec)
    envelope = Envelope.wrap(event, source=spec.owner, correlation_id="c-1", causation_id="c-0")
    raw = envelope.to_json_bytes()

    ce = JSONFormat().read(CloudEvent, raw)

    assert ce.get_specversion() == "1.0"
    assert ce.get_id() == envelope.id
    assert ce.get_type() == spec.subject
    assert ce.get_source() == f"/yishe/{spec.owner}"
    assert ce.get_subject() == event.cloudevent_subject()
    assert ce.get_datacontenttype() == "application/json"
    assert ce.get_time() == envelope.time
    assert ce.get_extension("correlationid") == "c-1"
    assert ce.get_extension("causationid") == "c-0"
    assert ce.get_data() == event.model_dump(mode="json")
    assert spec.model.model_validate(ce.get_data()) == event


@pytest.mark.parametrize("spec", SPECS)
def test_legacy_sdk_api_reads_envelope_when_wrapped_and_serialised(spec):
    event = _example_event(spec)
    envelope = Envelope.wrap(event, source=spec.owner, correlation_id="c-1")

    ce = legacy_from_json(envelope.to_json_bytes())

    assert ce["specversion"] == "1.0"
    assert ce["id"] == envelope.id
    assert ce["type"] == spec.subject
    assert ce["source"] == f"/yishe/{spec.owner}"
    assert ce["correlationid"] == "c-1"
    assert spec.model.model_validate(ce.get_data()) == event


@pytest.mark.parametrize("spec", SPECS)
def test_chinese_text_is_raw_utf8_when_serialised(spec):
    event = _example_event(spec)
    envelope = Envelope.wrap(event, source=spec.owner, correlation_id="c-1")
    raw = envelope.to_json_bytes()

    assert b"\\u" not in raw
    for text in _chinese_strings(event.model_dump(mode="json")):
        assert text.encode("utf-8") in raw
    ce = JSONFormat().read(CloudEvent, raw)
    assert _chinese_strings(ce.get_data()) == _chinese_strings(event.model_dump(mode="json"))


def test_some_example_carries_chinese_text_when_loaded():
    assert any(_chinese_strings(_example_event(s).model_dump(mode="json")) for s in SUBJECTS.values())


@pytest.mark.parametrize("spec", SPECS)
def test_envelope_matches_envelope_schema_when_serialised(spec):
    envelope = Envelope.wrap(_example_event(spec), source=spec.owner, correlation_id="c-1")
    schema = json.loads((CONTRACTS / export.ENVELOPE_FILE).read_text(encoding="utf-8"))
    Draft202012Validator(schema).validate(json.loads(envelope.to_json_bytes()))


@pytest.mark.parametrize("spec", SPECS)
def test_envelope_parses_event_when_written_by_sdk(spec):
    event = _example_event(spec)
    attributes = {
        "id": "e-1",
        "source": f"/yishe/{spec.owner}",
        "type": spec.subject,
        "subject": event.cloudevent_subject(),
        "datacontenttype": "application/json",
        "correlationid": "c-1",
    }
    if attributes["subject"] is None:  # optional in CloudEvents: a bulk event is about many organisations
        del attributes["subject"]
    ce = CloudEvent(attributes, event.model_dump(mode="json"))

    envelope = Envelope.model_validate_json(JSONFormat().write(ce))

    assert (envelope.id, envelope.type, envelope.correlationid) == ("e-1", spec.subject, "c-1")
    assert spec.model.model_validate(envelope.data) == event


def test_envelope_schema_requires_cloudevents_attributes_when_generated():
    schema = export.envelope_json_schema()
    assert set(schema["required"]) >= {"id", "source", "specversion", "type", "data"}
    assert schema["properties"]["specversion"]["const"] == "1.0"
    assert not Draft202012Validator(schema).is_valid({"id": "x", "source": "/yishe/registry", "data": {}})


def test_event_ids_are_unique_time_ordered_uuids_when_wrapped() -> None:
    import uuid

    spec = next(iter(SUBJECTS.values()))
    ids = [Envelope.wrap(_example_event(spec), source="registry").id for _ in range(200)]
    assert len(set(ids)) == 200
    assert all(uuid.UUID(i).version == 7 for i in ids)
    assert ids == sorted(ids)  # the outbox index on event ids grows at its end


def test_an_event_caused_by_another_has_an_id_derived_from_its_cause() -> None:
    """Issue 16 (restore drill): handling the same event again emits the same event — the id depends only on the
    consumer, the cause, the emitted type and subject and the ordinal — and any of them changed gives another id;
    a UUIDv7 cause's millisecond prefix is kept (caused ids stay time-ordered in the outbox's index)."""
    from uuid import UUID

    from uuid6 import uuid7

    from yishe_contracts.envelope import caused_event_id

    cause = str(uuid7())
    first = caused_event_id("credit", cause, "credit.profile.opened.v1", "51330302MJ00000182")
    assert first == caused_event_id("credit", cause, "credit.profile.opened.v1", "51330302MJ00000182")
    others = {caused_event_id("party", cause, "credit.profile.opened.v1", "51330302MJ00000182"),
              caused_event_id("credit", str(uuid7()), "credit.profile.opened.v1", "51330302MJ00000182"),
              caused_event_id("credit", cause, "credit.colour.changed.v1", "51330302MJ00000182"),
              caused_event_id("credit", cause, "credit.profile.opened.v1", "51330302MJ0000026W"),
              caused_event_id("credit", cause, "credit.profile.opened.v1", "51330302MJ00000182", 1)}
    assert len(others) == 5 and first not in others
    derived = UUID(first)
    assert (derived.version, derived.variant) == (8, "specified in RFC 4122")
    assert first[:13] == cause[:13]  # the cause's 48-bit time prefix
    not_v7 = caused_event_id("credit", "bulk-item-3", "credit.profile.opened.v1", None)
    assert UUID(not_v7).version == 5 and not_v7 == caused_event_id("credit", "bulk-item-3",
                                                                  "credit.profile.opened.v1", None)


def test_a_bulk_events_items_have_time_ordered_ids_in_item_order() -> None:
    """Issue 11 (a million organisations through every inbox): a bulk event's items — and the events they cause —
    get ids that keep the bulk event's millisecond prefix and sort in item order, so each consumer's event-id index
    takes them as appends, not as inserts spread over all its pages; still the same at every delivery."""
    from uuid import UUID, uuid4, uuid5

    from uuid6 import uuid7

    from yishe_contracts.envelope import bulk_item_id, caused_event_id

    bulk = str(uuid7())
    items = [bulk_item_id(bulk, i) for i in range(1000)]
    assert items == [bulk_item_id(bulk, i) for i in range(1000)]  # the same at every delivery
    assert len(set(items)) == 1000 and items == sorted(items)
    assert all(UUID(x).version == 8 and x[:13] == bulk[:13] for x in items)
    assert not set(items) & {bulk_item_id(str(uuid7()), i) for i in range(1000)}  # another bulk event: other ids
    caused = [caused_event_id("party", x, "party.record.opened.v1", f"5133{i:014d}") for i, x in enumerate(items)]
    assert caused == sorted(caused) and len(set(caused)) == 1000 and all(c[:13] == bulk[:13] for c in caused)
    assert not set(caused) & set(items)
    other = str(uuid4())  # not time-ordered: the name-based id as before
    assert bulk_item_id(other, 3) == str(uuid5(UUID(other), "3"))
