"""`export.compatible(old, new)`: only added optional fields keep a `vN` subject (STYLE §7 Evolution)."""

from __future__ import annotations

import copy

from pydantic import BaseModel, ConfigDict

from yishe_contracts import export
from yishe_contracts.subjects import SUBJECTS

BASE = {
    "$schema": export.JSON_SCHEMA_DIALECT,
    "type": "object",
    "properties": {
        "uscc": {"type": "string", "minLength": 18, "maxLength": 18},
        "name": {"type": "string"},
        "colour": {"$ref": "#/$defs/Colour"},
        "opened_at": {"type": "string", "format": "date-time"},
        "members": {"type": "array", "items": {"$ref": "#/$defs/Member"}},
        "note": {"anyOf": [{"type": "string"}, {"type": "null"}], "default": None},
    },
    "required": ["uscc", "name", "colour", "opened_at"],
    "$defs": {
        "Colour": {"type": "string", "enum": ["red", "green"]},
        "Member": {
            "type": "object",
            "properties": {"name": {"type": "string"}, "phone": {"type": "string"}},
            "required": ["name"],
        },
    },
}


def _changed(mutate) -> dict:
    schema = copy.deepcopy(BASE)
    mutate(schema)
    return schema


def test_compatible_returns_nothing_when_schema_is_unchanged():
    assert export.compatible(BASE, copy.deepcopy(BASE)) == []


def test_compatible_accepts_change_when_an_optional_field_is_added():
    def add(s):
        s["properties"]["website"] = {"anyOf": [{"type": "string"}, {"type": "null"}], "default": None}
        s["$defs"]["Member"]["properties"]["email"] = {"type": "string"}

    assert export.compatible(BASE, _changed(add)) == []


def test_compatible_flags_removal_when_a_property_is_dropped():
    problems = export.compatible(BASE, _changed(lambda s: s["properties"].pop("note")))
    assert problems == ["note: property removed"]


def test_compatible_flags_removal_when_a_nested_property_is_dropped():
    problems = export.compatible(BASE, _changed(lambda s: s["$defs"]["Member"]["properties"].pop("phone")))
    assert problems == ["members[].phone: property removed"]


def test_compatible_flags_type_change_when_a_property_is_retyped():
    def retype(s):
        s["properties"]["name"] = {"type": "integer"}

    problems = export.compatible(BASE, _changed(retype))
    assert problems == ["name: type changed from string to integer"]


def test_compatible_flags_type_change_when_format_changes():
    def reformat(s):
        s["properties"]["opened_at"]["format"] = "date"

    assert export.compatible(BASE, _changed(reformat)) == [
        "opened_at: type changed from string:date-time to string:date"
    ]


def test_compatible_flags_type_change_when_a_field_becomes_nullable():
    def nullable(s):
        s["properties"]["name"] = {"anyOf": [{"type": "string"}, {"type": "null"}]}

    assert export.compatible(BASE, _changed(nullable)) == ["name: type changed from string to null|string"]


def test_compatible_flags_enum_change_when_values_are_removed_or_added():
    def swap(s):
        s["$defs"]["Colour"]["enum"] = ["red", "blue"]

    problems = export.compatible(BASE, _changed(swap))
    assert problems == ['colour: enum values removed: "green"', 'colour: enum values added: "blue"']


def test_compatible_flags_new_required_property_when_added_as_required():
    def add_required(s):
        s["properties"]["division_code"] = {"type": "string"}
        s["required"].append("division_code")

    assert export.compatible(BASE, _changed(add_required)) == ["division_code: new required property"]


def test_compatible_flags_requirement_when_an_optional_property_becomes_required():
    assert export.compatible(BASE, _changed(lambda s: s["required"].append("note"))) == [
        "note: property became required"
    ]


def test_compatible_lists_every_break_when_several_happen_at_once():
    def many(s):
        s["properties"].pop("note")
        s["properties"]["name"] = {"type": "boolean"}
        s["properties"]["x"] = {"type": "string"}
        s["required"].append("x")

    assert len(export.compatible(BASE, _changed(many))) == 3


def test_compatible_accepts_optional_field_when_pydantic_model_grows():
    class V1(BaseModel):
        model_config = ConfigDict(frozen=True)
        uscc: str
        name: str

    class V1Grown(V1):
        website: str | None = None
        tags: tuple[str, ...] = ()

    class V1Broken(V1):
        division_code: str

    assert export.compatible(V1.model_json_schema(), V1Grown.model_json_schema()) == []
    assert export.compatible(V1.model_json_schema(), V1Broken.model_json_schema()) == [
        "division_code: new required property"
    ]


def test_compatible_accepts_every_current_schema_when_compared_with_itself():
    for spec in SUBJECTS.values():
        schema = export.event_json_schema(spec)
        assert export.compatible(schema, copy.deepcopy(schema)) == []
