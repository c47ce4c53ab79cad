"""Each service's profile read model (yishe_kit.readmodel) accounts for every table: a table is keyed by a USCC
column (its changes void that organisation's fragment), related to organisations by a mapping, or declared as never
read by the view. An undeclared table without a USCC would void every fragment on each change: a decision to make
when the table is added, not a silent slowdown found later."""

from __future__ import annotations

import importlib

import pytest

SERVICES = ["registry", "credit", "procurement", "party", "cultivation"]


@pytest.mark.parametrize("service", SERVICES)
def test_every_table_is_keyed_by_uscc_or_declared(service: str) -> None:
    metadata = importlib.import_module(f"yishe_{service}.main").metadata
    fragments = importlib.import_module(f"yishe_{service}.readmodel").FRAGMENTS
    assert fragments.undeclared(metadata) == []
    known = set(metadata.tables) | set(metadata.info.get("virtual_tables", ()))
    assert fragments.ignore <= known, "declared tables that do not exist"
    assert "profile_fragment" in metadata.tables
