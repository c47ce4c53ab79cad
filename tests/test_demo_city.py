"""`make demo`'s city (scripts/demo_city): the same bytes every run (so the registry's import recognises it), codes
the registry accepts, and names its rules accept — checked with the registry's own pure rules, so a change in them
that would make the demo refuse records shows here rather than in a newcomer's terminal."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from yishe_contracts.identifiers import validate_division_code, validate_social_org_uscc
from yishe_registry.config import RulesSettings
from yishe_registry.name import rules

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "scripts"))

from demo_city import generate, wenzhou

CATEGORY = {"社会团体": "1", "民办非企业单位": "2", "基金会": "3"}


@pytest.fixture(scope="module")
def city() -> generate.City:
    return generate.build(3000)


def test_same_city_every_run(city: generate.City) -> None:
    """IMPORT-2 idempotency rests on it: a re-run sends byte-identical rows (the content hash matches)."""
    again = generate.build(3000)
    assert [json.dumps(o.row(), ensure_ascii=False) for o in again.orgs] == \
           [json.dumps(o.row(), ensure_ascii=False) for o in city.orgs]
    assert again.filings == city.filings


def test_codes_are_valid_and_unique(city: generate.City) -> None:
    """USCC-1..6 (check characters), USCC-2 (category matches the kind), DIV-1 (divisions)."""
    usccs = [o.uscc for o in city.orgs]
    assert len(set(usccs)) == len(usccs) == 3000
    for o in city.orgs:
        assert validate_social_org_uscc(o.uscc) == [], o
        assert o.uscc[1] == CATEGORY[o.org_type] and o.uscc[2:8] == o.division_code
    assert {o.org_type for o in city.orgs} == set(CATEGORY)
    for county, towns in wenzhou.TOWNSHIPS.items():
        assert validate_division_code(county) == []
        assert all(len(code) == 9 and code.startswith(county) for code in towns)


def test_registered_names_unique_and_lawful(city: generate.City) -> None:
    """REG-6: unique names, starting with the division's name, ending with a form label of their kind."""
    names = [o.name for o in city.orgs]
    assert len(set(names)) == len(names)
    division_names = RulesSettings().division_names
    refused = []
    for o in city.orgs:
        ctx = rules.NameContext(o.org_type, o.division_code)
        problems = rules.validate(o.name, ctx, division_names)
        if problems:
            refused.append((o.name, [p.message_zh for p in problems]))
    assert refused == []


def test_filed_names_pass_reg7(city: generate.City) -> None:
    """REG-7: the name the registry builds for each filing (division + township + village + sector + form)."""
    division_names = RulesSettings().division_names
    built = set()
    for f in city.filings:
        ctx = rules.NameContext("社会团体", f.division_code, True, f.township, f.village)
        parts = rules.NameParts(division_names[f.division_code], f.township, f.village, None, f.sector, f.form)
        name, problems = rules.build(parts, ctx)
        problems += rules.validate(name, ctx, division_names)
        assert problems == [], (name, [p.message_zh for p in problems])
        built.add(name)
    assert len(built) == len(city.filings) == 4 * sum(len(t) for t in wenzhou.TOWNSHIPS.values())
