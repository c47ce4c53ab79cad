"""The AsyncAPI 3.0 documents describe every subject and exactly who sends and receives it."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from yishe_contracts import export
from yishe_contracts.subjects import OWNERS, SUBJECTS

CONTRACTS = Path(__file__).resolve().parents[1]


def _load(name: str) -> dict:
    return yaml.safe_load((CONTRACTS / export.asyncapi_path(name)).read_text(encoding="utf-8"))


def _resolve(doc: dict, ref: str):
    node = doc
    for part in ref.removeprefix("#/").split("/"):
        node = node[part.replace("~1", "/").replace("~0", "~")]
    return node


def _refs(node):
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref":
                yield value
            else:
                yield from _refs(value)
    elif isinstance(node, list):
        for value in node:
            yield from _refs(value)


def _addresses(doc: dict, action: str) -> set[str]:
    return {
        _resolve(doc, op["channel"]["$ref"])["address"]
        for op in doc["operations"].values()
        if op["action"] == action
    }


DOCS = ["system", *export.SERVICES]


@pytest.mark.parametrize("name", DOCS)
def test_document_is_asyncapi_3_when_parsed(name):
    doc = _load(name)
    assert doc["asyncapi"] == "3.0.0"
    assert doc["info"]["title"] == "yishe events"
    assert doc["info"]["version"] == "1.0.0"
    assert doc["servers"]["nats"]["protocol"] == "nats"
    assert doc["servers"]["nats"]["host"] == "localhost:4222"


@pytest.mark.parametrize("name", DOCS)
def test_every_local_ref_resolves_when_document_is_parsed(name):
    doc = _load(name)
    refs = set(_refs(doc))
    assert refs
    for ref in refs:
        assert ref.startswith("#/"), ref
        _resolve(doc, ref)


@pytest.mark.parametrize("name", DOCS)
def test_operation_messages_belong_to_their_channel_when_declared(name):
    doc = _load(name)
    for op_id, op in doc["operations"].items():
        assert op["action"] in ("send", "receive"), op_id
        for message in op["messages"]:
            assert message["$ref"].startswith(op["channel"]["$ref"] + "/messages/"), op_id


def test_system_document_has_a_channel_for_every_subject_when_generated():
    doc = _load("system")
    assert {c["address"] for c in doc["channels"].values()} == set(SUBJECTS)
    for subject in SUBJECTS:
        assert doc["channels"][export.channel_id(subject)]["address"] == subject


def test_system_document_has_send_and_receive_operations_when_generated():
    doc = _load("system")
    expected = {(spec.owner, "send", s) for s, spec in SUBJECTS.items()}
    expected |= {(c, "receive", s) for s, spec in SUBJECTS.items() for c in spec.consumers}
    actual = {
        (op["x-yishe-service"], op["action"], _resolve(doc, op["channel"]["$ref"])["address"])
        for op in doc["operations"].values()
    }
    assert actual == expected


@pytest.mark.parametrize("service", export.SERVICES)
def test_service_sends_exactly_owned_subjects_when_documented(service):
    doc = _load(service)
    assert _addresses(doc, "send") == {s for s, spec in SUBJECTS.items() if spec.owner == service}
    assert _addresses(doc, "receive") == {s for s, spec in SUBJECTS.items() if service in spec.consumers}
    assert {op["x-yishe-service"] for op in doc["operations"].values()} <= {service}


@pytest.mark.parametrize("service", export.SERVICES)
def test_service_document_lists_only_used_channels_when_documented(service):
    doc = _load(service)
    used = {op["channel"]["$ref"] for op in doc["operations"].values()}
    assert {f"#/channels/{cid}" for cid in doc["channels"]} == used


def test_every_owner_has_a_document_when_generated():
    for owner in OWNERS:
        assert (CONTRACTS / export.asyncapi_path(owner)).is_file()


@pytest.mark.parametrize("subject", list(SUBJECTS))
def test_message_payload_is_cloudevents_envelope_with_event_data_when_documented(subject):
    doc = _load("system")
    message = doc["components"]["messages"][export.channel_id(subject)]
    assert message["contentType"] == "application/cloudevents+json"
    assert "Nats-Msg-Id" in message["headers"]["required"]
    envelope_ref, narrowing = message["payload"]["allOf"]
    assert _resolve(doc, envelope_ref["$ref"])["properties"]["specversion"]["const"] == "1.0"
    assert narrowing["properties"]["type"] == {"const": subject}
    data_schema = _resolve(doc, narrowing["properties"]["data"]["$ref"])
    assert set(data_schema["properties"]) == set(SUBJECTS[subject].model.model_fields)
    assert data_schema["title"] == SUBJECTS[subject].model.__name__


def test_unknown_service_is_rejected_when_building_a_document():
    with pytest.raises(ValueError):
        export.asyncapi_document("billing")
