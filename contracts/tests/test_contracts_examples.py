"""Every subject has hand-written examples in contracts/examples/<subject>/ fitting its schema and model."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator

from yishe_contracts import export
from yishe_contracts.identifiers import validate_uscc
from yishe_contracts.subjects import SUBJECTS

CONTRACTS = Path(__file__).resolve().parents[1]
EXAMPLES = CONTRACTS / "examples"


def _example_files() -> list[Path]:
    return sorted(EXAMPLES.glob("*/*.json"))


def _committed_schema(subject: str) -> dict:
    return json.loads((CONTRACTS / export.schema_path(subject)).read_text(encoding="utf-8"))


EXAMPLE_PARAMS = [pytest.param(p, id=f"{p.parent.name}/{p.name}") for p in _example_files()]


def test_every_subject_has_an_example_when_listed_in_subjects():
    with_examples = {p.parent.name for p in _example_files()}
    assert set(SUBJECTS) - with_examples == set()


def test_example_dirs_name_known_subjects_when_present():
    dirs = {p.name for p in EXAMPLES.iterdir() if p.is_dir()}
    assert dirs - set(SUBJECTS) == set()


@pytest.mark.parametrize("path", EXAMPLE_PARAMS)
def test_example_validates_against_json_schema_when_loaded(path: Path):
    schema = _committed_schema(path.parent.name)
    Draft202012Validator.check_schema(schema)
    validator = Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)
    errors = sorted(validator.iter_errors(json.loads(path.read_text(encoding="utf-8"))), key=str)
    assert errors == [], "\n".join(e.message for e in errors)


@pytest.mark.parametrize("path", EXAMPLE_PARAMS)
def test_example_validates_against_model_when_loaded(path: Path):
    model = SUBJECTS[path.parent.name].model
    data = json.loads(path.read_text(encoding="utf-8"))
    event = model.model_validate(data)
    # every field of the example is a field of the model (examples document the contract, not extras)
    assert set(data) <= set(model.model_fields)
    # and what a producer would put on the wire still fits the schema
    Draft202012Validator(_committed_schema(path.parent.name)).validate(event.model_dump(mode="json"))


@pytest.mark.parametrize("path", EXAMPLE_PARAMS)
def test_example_uscc_is_valid_when_present(path: Path):
    data = json.loads(path.read_text(encoding="utf-8"))
    if "uscc" in data:
        assert validate_uscc(data["uscc"]) == []


def test_schema_rejects_payload_when_required_field_is_missing():
    path = EXAMPLES / "registry.organisation.registered.v1" / "example-1.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    del data["uscc"]
    validator = Draft202012Validator(_committed_schema("registry.organisation.registered.v1"))
    assert any("uscc" in e.message for e in validator.iter_errors(data))


def test_schema_rejects_payload_when_enum_value_is_unknown():
    path = EXAMPLES / "credit.profile.opened.v1" / "example-1.json"
    data = {**json.loads(path.read_text(encoding="utf-8")), "colour": "purple"}
    assert not Draft202012Validator(_committed_schema("credit.profile.opened.v1")).is_valid(data)
