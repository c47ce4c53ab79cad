"""Generated contract artifacts (STYLE §8): JSON Schemas and AsyncAPI 3.0 documents built from `subjects.py`.

Everything here is a pure function of the Pydantic models and the subject table; `scripts/contracts.py`
writes the results to `contracts/jsonschema/` and `contracts/asyncapi/` and checks them for drift.

Files (paths relative to `contracts/`):

- `jsonschema/<subject>.json`: JSON Schema (Draft 2020-12) of the event payload, i.e. the CloudEvents `data`,
  `$id` = `urn:yishe:event:<subject>`.
- `jsonschema/envelope.json`: JSON Schema of the CloudEvents 1.0 structured-mode envelope (`data` left open).
- `asyncapi/system.asyncapi.yaml`: every subject, every send (owner) and receive (consumer) operation.
- `asyncapi/<service>.asyncapi.yaml`: for each owner and the gateway, the operations that service performs
  and only the channels, messages and schemas those operations use.

How a message is described in AsyncAPI: the NATS message body is a CloudEvents structured-mode JSON
document (`contentType: application/cloudevents+json`). The message `payload` is therefore the envelope
schema `allOf` a narrowing that fixes `type` to the subject and gives `data` the event's schema. The NATS
header `Nats-Msg-Id` (= CloudEvents `id`, used by JetStream for dedupe) is the message's `headers` schema.
AsyncAPI documents are self-contained: schemas live in `components/schemas`.

Determinism: JSON is written with sorted keys; YAML keeps a fixed key order built here (channels by subject,
operations and components by id, schema objects with sorted keys) and no timestamps, so regeneration is
byte-stable.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import yaml
from pydantic.json_schema import models_json_schema

from .envelope import Envelope
from .subjects import DLQ_PREFIX, DLQ_STREAM, OWNERS, SUBJECTS, SubjectSpec, stream_name

JSON_SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"
ENVELOPE_SCHEMA_ID = "urn:yishe:envelope:cloudevents-1.0"
ASYNCAPI_VERSION = "3.0.0"
INFO_TITLE = "yishe events"
INFO_VERSION = "1.0.0"
SERVER_ID = "nats"
SERVER_HOST = "localhost:4222"
CLOUDEVENTS_CONTENT_TYPE = "application/cloudevents+json"
CLOUDEVENTS_REQUIRED = ("id", "source", "specversion", "type")
"""Attributes CloudEvents 1.0 requires; the envelope schema also requires `data` (every event has one)."""
GATEWAY = "gateway"
SERVICES: tuple[str, ...] = (*OWNERS, GATEWAY)
"""Services that can appear in `SubjectSpec.consumers`; each gets its own AsyncAPI document."""
GENERATED_DIRS = ("jsonschema", "asyncapi")
ENVELOPE_FILE = "jsonschema/envelope.json"
_ENVELOPE_COMPONENT = "Envelope"


# ---------------------------------------------------------------------------------------------------------
# identifiers


def event_schema_id(subject: str) -> str:
    return f"urn:yishe:event:{subject}"


def channel_id(subject: str) -> str:
    """AsyncAPI channel id of a subject: dots become hyphens (subject tokens never contain hyphens)."""
    return subject.replace(".", "-")


def operation_id(service: str, action: str, subject: str) -> str:
    return f"{service}-{action}-{channel_id(subject)}"


def durable_name(consumer: str, subject: str) -> str:
    """The JetStream durable consumer name, as `yishe_kit.bus.Subscription.durable` builds it."""
    return f"{consumer}-{subject.replace('.', '-')}"


def schema_path(subject: str) -> str:
    return f"jsonschema/{subject}.json"


def asyncapi_path(name: str) -> str:
    """`system` or a service name → path of its AsyncAPI document."""
    return f"asyncapi/{name}.asyncapi.yaml"


# ---------------------------------------------------------------------------------------------------------
# JSON Schema


def event_json_schema(spec: SubjectSpec) -> dict[str, Any]:
    """JSON Schema (Draft 2020-12) of one subject's payload (the CloudEvents `data`)."""
    schema = spec.model.model_json_schema()
    return {
        "$schema": JSON_SCHEMA_DIALECT,
        "$id": event_schema_id(spec.subject),
        **schema,
        "title": spec.model.__name__,
    }


def envelope_json_schema() -> dict[str, Any]:
    """JSON Schema of the CloudEvents 1.0 structured JSON envelope; `data` is any object (see events)."""
    schema = Envelope.model_json_schema()
    properties = dict(schema["properties"])
    properties["specversion"] = {**properties["specversion"], "const": "1.0"}
    return {
        "$schema": JSON_SCHEMA_DIALECT,
        "$id": ENVELOPE_SCHEMA_ID,
        **schema,
        "title": "CloudEvents 1.0 envelope",
        "properties": properties,
        "required": sorted({*schema.get("required", ()), *CLOUDEVENTS_REQUIRED, "data"}),
    }


# ---------------------------------------------------------------------------------------------------------
# AsyncAPI


def _sorted_keys(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {k: _sorted_keys(value[k]) for k in sorted(value)}
    if isinstance(value, list | tuple):
        return [_sorted_keys(v) for v in value]
    return value


def _component_schemas(specs: Iterable[SubjectSpec]) -> tuple[dict[str, str], dict[str, Any]]:
    """(subject → component schema name, component schemas) for the given subjects plus the envelope."""
    specs = list(specs)
    refs, defs = models_json_schema(
        [(s.model, "validation") for s in specs], ref_template="#/components/schemas/{model}"
    )
    names = {s.subject: refs[(s.model, "validation")]["$ref"].rsplit("/", 1)[1] for s in specs}
    schemas = dict(defs.get("$defs", {}))
    if _ENVELOPE_COMPONENT in schemas:
        raise ValueError(f"an event model may not be called {_ENVELOPE_COMPONENT!r}")
    envelope = {k: v for k, v in envelope_json_schema().items() if k not in ("$schema", "$id")}
    schemas[_ENVELOPE_COMPONENT] = envelope
    return names, {name: _sorted_keys(schemas[name]) for name in sorted(schemas)}


def _message(spec: SubjectSpec, schema_name: str) -> dict[str, Any]:
    return {
        "name": spec.model.__name__,
        "title": spec.subject,
        "summary": spec.summary,
        "description": (spec.model.__doc__ or spec.summary).strip(),
        "contentType": CLOUDEVENTS_CONTENT_TYPE,
        "headers": {
            "type": "object",
            "required": ["Nats-Msg-Id"],
            "properties": {
                "Nats-Msg-Id": {
                    "type": "string",
                    "description": "The CloudEvents id; JetStream drops duplicates in the stream's window.",
                },
            },
        },
        "payload": {
            "allOf": [
                {"$ref": f"#/components/schemas/{_ENVELOPE_COMPONENT}"},
                {
                    "type": "object",
                    "required": ["type", "data"],
                    "properties": {
                        "type": {"const": spec.subject},
                        "data": {"$ref": f"#/components/schemas/{schema_name}"},
                    },
                },
            ],
        },
        "correlationId": {
            "description": "Correlation id of the request or event chain (CloudEvents extension).",
            "location": "$message.payload#/correlationid",
        },
    }


def _channel(spec: SubjectSpec) -> dict[str, Any]:
    cid = channel_id(spec.subject)
    return {
        "address": spec.subject,
        "title": spec.model.__name__,
        "summary": spec.summary,
        "messages": {spec.model.__name__: {"$ref": f"#/components/messages/{cid}"}},
        "x-yishe-owner": spec.owner,
        "x-yishe-stream": stream_name(spec.owner),
        "x-yishe-consumers": list(spec.consumers),
    }


def _operation(spec: SubjectSpec, service: str, action: str) -> dict[str, Any]:
    cid = channel_id(spec.subject)
    durable = durable_name(service, spec.subject)
    op: dict[str, Any] = {
        "action": action,
        "channel": {"$ref": f"#/channels/{cid}"},
        "summary": (
            f"{service} publishes {spec.subject} through its transactional outbox."
            if action == "send"
            else f"{service} consumes {spec.subject} (durable consumer {durable}, explicit ack)."
        ),
        "messages": [{"$ref": f"#/channels/{cid}/messages/{spec.model.__name__}"}],
        "x-yishe-service": service,
    }
    if action == "receive":
        op["x-yishe-durable"] = durable
    return op


def _operations_of(service: str | None) -> list[tuple[str, SubjectSpec, str, str]]:
    """(operation id, spec, service, action) performed by `service` (all services when None), sorted by id."""
    ops = []
    for spec in SUBJECTS.values():
        if service in (None, spec.owner):
            ops.append((operation_id(spec.owner, "send", spec.subject), spec, spec.owner, "send"))
        for consumer in spec.consumers:
            if service in (None, consumer):
                ops.append((operation_id(consumer, "receive", spec.subject), spec, consumer, "receive"))
    return sorted(ops, key=lambda o: o[0])


def asyncapi_document(service: str | None = None) -> dict[str, Any]:
    """AsyncAPI 3.0.0 document of the whole system (`service=None`) or of what one service sends/receives."""
    if service is not None and service not in SERVICES:
        raise ValueError(f"unknown service {service!r}")
    ops = _operations_of(service)
    specs = sorted({o[1].subject: o[1] for o in ops}.values(), key=lambda s: s.subject)
    if service is None:  # the system document lists every subject, even one nobody consumes
        specs = sorted(SUBJECTS.values(), key=lambda s: s.subject)
    schema_names, schemas = _component_schemas(specs)
    streams = ", ".join(f"{stream_name(o)} captures `{o}.>`" for o in OWNERS)
    scope = "every yishe service" if service is None else f"the {service} service"
    description = (
        f"Events sent and received by {scope}. Each NATS message body is a CloudEvents 1.0 structured-mode "
        "JSON envelope (`type` = subject, `subject` = USCC where the event has one, `correlationid` and "
        "`causationid` extensions, and `effectivedate`: the business date the event takes effect, beside `time`, "
        "when it was recorded) whose `data` is the event payload; the header `Nats-Msg-Id` carries the "
        "event id. Within a major version only optional fields are added; anything else is a new `vN` "
        "subject."
    )
    doc: dict[str, Any] = {
        "asyncapi": ASYNCAPI_VERSION,
        "info": {"title": INFO_TITLE, "version": INFO_VERSION, "description": description},
    }
    if service is not None:
        doc["info"]["x-yishe-service"] = service
    doc["defaultContentType"] = CLOUDEVENTS_CONTENT_TYPE
    doc["servers"] = {
        SERVER_ID: {
            "host": SERVER_HOST,
            "protocol": "nats",
            "description": (
                f"NATS with JetStream. Streams: {streams}; {DLQ_STREAM} captures `{DLQ_PREFIX}.>` "
                f"(invalid or undeliverable messages, `{DLQ_PREFIX}.<durable>`)."
            ),
        },
    }
    doc["channels"] = {channel_id(s.subject): _channel(s) for s in specs}
    doc["operations"] = {oid: _operation(spec, svc, action) for oid, spec, svc, action in ops}
    doc["components"] = {
        "messages": {
            channel_id(s.subject): _message(s, schema_names[s.subject])
            for s in sorted(specs, key=lambda s: channel_id(s.subject))
        },
        "schemas": schemas,
    }
    return doc


# ---------------------------------------------------------------------------------------------------------
# rendering and drift


class _Dumper(yaml.SafeDumper):
    def ignore_aliases(self, data: Any) -> bool:  # no &anchors / *aliases: plain, diff-friendly YAML
        return True


def dump_json(obj: Any) -> str:
    return json.dumps(obj, ensure_ascii=False, indent=2, sort_keys=True) + "\n"


def dump_yaml(obj: Any) -> str:
    return str(yaml.dump(obj, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=110))


def render_all() -> dict[str, str]:
    """Every generated file: path relative to `contracts/` → its exact text."""
    files = {schema_path(subject): dump_json(event_json_schema(spec)) for subject, spec in SUBJECTS.items()}
    files[ENVELOPE_FILE] = dump_json(envelope_json_schema())
    files[asyncapi_path("system")] = dump_yaml(asyncapi_document())
    for service in SERVICES:
        files[asyncapi_path(service)] = dump_yaml(asyncapi_document(service))
    return dict(sorted(files.items()))


def default_root() -> Path:
    """The `contracts/` directory of this checkout (src/yishe_contracts/export.py → contracts/)."""
    return Path(__file__).resolve().parents[2]


def existing_files(root: Path) -> list[str]:
    """Files currently under the generated directories, relative to `root`."""
    return sorted(
        p.relative_to(root).as_posix()
        for d in GENERATED_DIRS
        if (root / d).is_dir()
        for p in (root / d).rglob("*")
        if p.is_file()
    )


def drift(root: Path, expected: Mapping[str, str] | None = None) -> list[str]:
    """Differences between `root` (a `contracts/` dir) and freshly generated files: `changed: <path>`,
    `missing: <path>`, `extra: <path>`. Empty = up to date."""
    expected = render_all() if expected is None else expected
    problems = []
    for rel, text in expected.items():
        path = root / rel
        if not path.is_file():
            problems.append(f"missing: {rel}")
        elif path.read_bytes() != text.encode("utf-8"):
            problems.append(f"changed: {rel}")
    problems += [f"extra: {rel}" for rel in existing_files(root) if rel not in expected]
    return problems


# ---------------------------------------------------------------------------------------------------------
# schema evolution


def _resolve(node: Any, root: Mapping[str, Any], seen: frozenset[str] = frozenset()) -> tuple[Any, frozenset]:
    """Follow local `$ref`s (`#/...`) to the schema they name."""
    while isinstance(node, Mapping) and isinstance(node.get("$ref"), str) and node["$ref"].startswith("#"):
        ref = node["$ref"]
        if ref in seen:
            return {}, seen
        seen = seen | {ref}
        target: Any = root
        for part in ref[1:].split("/")[1:]:
            target = target[part.replace("~1", "/").replace("~0", "~")]
        node = target
    return node, seen


def _branches(node: Any, root: Mapping[str, Any], seen: frozenset[str]) -> list[tuple[Any, frozenset]]:
    """The alternatives a value may match: the members of anyOf/oneOf (recursively), else the node itself."""
    node, seen = _resolve(node, root, seen)
    if not isinstance(node, Mapping):
        return [(node, seen)]
    for key in ("anyOf", "oneOf"):
        if key in node:
            return [b for member in node[key] for b in _branches(member, root, seen)]
    return [(node, seen)]


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    return "array" if isinstance(value, list) else "object"


def _type_signature(node: Any, root: Mapping[str, Any], seen: frozenset[str]) -> frozenset[str]:
    """The set of `type[:format]` a value may have; `any` where a branch does not constrain it."""
    types: set[str] = set()
    for branch, _ in _branches(node, root, seen):
        if not isinstance(branch, Mapping):
            types.add("any" if branch is not False else "never")
            continue
        declared = branch.get("type")
        if declared is None and "const" in branch:
            declared = _json_type(branch["const"])
        elif declared is None and "enum" in branch:
            declared = sorted({_json_type(v) for v in branch["enum"]})
        elif declared is None and "properties" in branch:
            declared = "object"
        elif declared is None and "items" in branch:
            declared = "array"
        names = [declared] if isinstance(declared, str) else list(declared or ["any"])
        fmt = branch.get("format")
        types.update(f"{t}:{fmt}" if fmt and t == "string" else t for t in names)
    return frozenset(types)


def _values(node: Any, root: Mapping[str, Any], seen: frozenset[str]) -> frozenset | None:
    """The allowed values when every branch is an enum/const (None when the value is open)."""
    allowed: set = set()
    for branch, _ in _branches(node, root, seen):
        if not isinstance(branch, Mapping):
            return None
        if "const" in branch:
            allowed.add(json.dumps(branch["const"], sort_keys=True))
        elif "enum" in branch:
            allowed.update(json.dumps(v, sort_keys=True) for v in branch["enum"])
        elif branch.get("type") == "null":
            allowed.add("null")
        else:
            return None
    return frozenset(allowed)


def _only(branches: list[tuple[Any, frozenset]], key: str) -> tuple[Any, frozenset] | None:
    matching = [b for b in branches if isinstance(b[0], Mapping) and key in b[0]]
    return matching[0] if len(matching) == 1 else None


def _compare(old: Any, new: Any, old_root: Mapping[str, Any], new_root: Mapping[str, Any], path: str,
             old_seen: frozenset[str], new_seen: frozenset[str], out: list[str]) -> None:
    where = path or "(root)"
    old_types = _type_signature(old, old_root, old_seen)
    new_types = _type_signature(new, new_root, new_seen)
    if old_types != new_types:
        old_t, new_t = '|'.join(sorted(old_types)), '|'.join(sorted(new_types))
        out.append(f"{where}: type changed from {old_t} to {new_t}")
        return
    old_values, new_values = _values(old, old_root, old_seen), _values(new, new_root, new_seen)
    if old_values != new_values:
        if old_values is None or new_values is None:
            out.append(f"{where}: type changed (enumeration {'added' if old_values is None else 'removed'})")
        else:
            if old_values - new_values:
                out.append(f"{where}: enum values removed: {', '.join(sorted(old_values - new_values))}")
            if new_values - old_values:
                out.append(f"{where}: enum values added: {', '.join(sorted(new_values - old_values))}")
    old_branches = _branches(old, old_root, old_seen)
    new_branches = _branches(new, new_root, new_seen)
    old_obj, new_obj = _only(old_branches, "properties"), _only(new_branches, "properties")
    if old_obj and new_obj:
        (o, o_seen), (n, n_seen) = old_obj, new_obj
        o_props, n_props = o.get("properties", {}), n.get("properties", {})
        o_req, n_req = set(o.get("required", ())), set(n.get("required", ()))
        prefix = f"{path}." if path else ""
        for name in sorted(o_props):
            if name not in n_props:
                out.append(f"{prefix}{name}: property removed")
        for name in sorted(n_req - o_req):
            if name in o_props:
                out.append(f"{prefix}{name}: property became required")
            else:
                out.append(f"{prefix}{name}: new required property")
        for name in sorted(set(o_props) & set(n_props)):
            _compare(o_props[name], n_props[name], old_root, new_root, f"{prefix}{name}", o_seen, n_seen, out)
    old_arr, new_arr = _only(old_branches, "items"), _only(new_branches, "items")
    if old_arr and new_arr:
        (o, o_seen), (n, n_seen) = old_arr, new_arr
        _compare(o["items"], n["items"], old_root, new_root, f"{path}[]", o_seen, n_seen, out)


def compatible(old_schema: Mapping[str, Any], new_schema: Mapping[str, Any]) -> list[str]:
    """Breaking changes from `old_schema` to `new_schema` (JSON Schemas of the same `vN` subject).

    Flags a removed property, a changed type (including format, nullability and enum values), a new
    required property and an optional property becoming required, in nested objects and array items too.
    Adding an optional property is compatible. Empty list = the new schema may keep the subject name."""
    out: list[str] = []
    _compare(old_schema, new_schema, old_schema, new_schema, "", frozenset(), frozenset(), out)
    return out
