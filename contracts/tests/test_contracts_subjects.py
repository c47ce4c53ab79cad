"""The subject table follows `<owner>.<entity>.<event>.v<major>` and names only known services."""

from __future__ import annotations

import re

import pytest

from yishe_contracts import export
from yishe_contracts.envelope import Event
from yishe_contracts.subjects import OWNERS, SUBJECTS, owner_of, spec_for

SUBJECT_RE = re.compile(
    r"^(?P<owner>[a-z]+)\.(?P<entity>[a-z][a-z0-9_]*)\.(?P<event>[a-z][a-z0-9_]*)\.v(?P<major>[1-9][0-9]*)$"
)
SPECS = [pytest.param(spec, id=subject) for subject, spec in SUBJECTS.items()]


def test_subject_table_is_not_empty_when_imported():
    assert SUBJECTS


@pytest.mark.parametrize("spec", SPECS)
def test_subject_matches_naming_pattern_when_declared(spec):
    match = SUBJECT_RE.match(spec.subject)
    assert match, f"{spec.subject!r} is not <owner>.<entity>.<event>.v<major>"
    assert match["owner"] in OWNERS
    assert match["owner"] == spec.owner == owner_of(spec.subject)


@pytest.mark.parametrize("spec", SPECS)
def test_model_subject_name_equals_key_when_registered(spec):
    key = next(k for k, v in SUBJECTS.items() if v is spec)
    assert spec.subject == key
    assert spec.model.subject_name == key
    assert issubclass(spec.model, Event)
    assert spec_for(spec.model) is spec


@pytest.mark.parametrize("spec", SPECS)
def test_consumers_are_known_services_when_listed(spec):
    assert set(spec.consumers) <= set(OWNERS) | {"gateway"}
    assert set(export.SERVICES) == set(OWNERS) | {"gateway"}
    assert len(spec.consumers) == len(set(spec.consumers))


@pytest.mark.parametrize("spec", SPECS)
def test_model_is_frozen_and_tolerant_when_declared(spec):
    config = spec.model.model_config
    assert config.get("frozen") is True
    assert config.get("extra") == "ignore"  # consumers ignore fields added later (STYLE §7)


def test_each_model_backs_one_subject_when_registered():
    models = [spec.model for spec in SUBJECTS.values()]
    assert len(models) == len(set(models))


def test_channel_ids_are_distinct_when_derived_from_subjects():
    assert len({export.channel_id(s) for s in SUBJECTS}) == len(SUBJECTS)
