"""OCDS compiled releases through `ocdsmerge`, the Open Contracting Partnership's reference implementation of the
merge routine (https://standard.open-contracting.org/1.1/en/schema/merging/): releases in date order, the schema's
own merge rules (`omitWhenMerged`, `wholeListMerge`, merge by `id`), nulls remove.

The merge rules come from the OCDS 1.1.5 release schema shipped beside this module (`release-schema.json`, Apache
License 2.0, © Open Contracting Partnership; the same file as shared/ocds). ocdsmerge would otherwise download the
schema: bureau intranets have no internet, so it is always handed this copy (its `$ref`s are all internal)."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

import ocdsmerge

SCHEMA_PATH = Path(__file__).with_name("release-schema.json")


@cache
def merger() -> ocdsmerge.Merger:
    """One merger per process: deriving the rules walks the whole schema (tens of ms)."""
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    return ocdsmerge.Merger(schema=schema)


def compile_releases(releases: list[dict[str, Any]]) -> dict[str, Any]:
    """The compiled release of one contracting process (`tag: ["compiled"]`, id `<ocid>-<last date>`)."""
    return merger().create_compiled_release(releases)
