"""The rule catalogue (docs/rules.md, docs/rules.json) is generated from docs/rules-source.yaml and the code, and the
committed one must be what `make rules` gives now. Rule ids in this file's temporary repositories are built from
parts, so that the scan of this repository does not take them for citations."""

from __future__ import annotations

import importlib.util
import json
import shutil
import subprocess
import sys
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[1]
SCRIPT = REPO / "scripts" / "rules.py"
_spec = importlib.util.spec_from_file_location("yishe_rules_script", SCRIPT)
rules = importlib.util.module_from_spec(_spec)
sys.modules[_spec.name] = rules
_spec.loader.exec_module(rules)

NEW = "CR" + "-99"  # cited in code, absent from the data file
REG = "REG" + "-2"
RANGE = "PARTY" + "-1..3"


def _run(*args: str, root: Path = REPO) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, str(SCRIPT), *args, "--root", str(root)], check=False,
                          capture_output=True, text=True, timeout=120)


def _mini_repo(tmp_path: Path) -> Path:
    """A repository with the real data file, one service module and one test module."""
    (tmp_path / "docs").mkdir()
    shutil.copy(REPO / rules.SOURCE, tmp_path / rules.SOURCE)
    src = tmp_path / "services" / "demo" / "src" / "yishe_demo"
    src.mkdir(parents=True)
    (src / "service.py").write_text(f'"""Routes by {RANGE}."""\n\nRULE = "{REG}"\nOTHER = "{NEW}"\n',
                                    encoding="utf-8")
    tests = tmp_path / "services" / "demo" / "tests"
    tests.mkdir(parents=True)
    (tests / "test_demo.py").write_text(
        f'def test_refused_when_late():\n    """{REG}: refused after 60 days."""\n\n\n'
        f'def test_other():\n    assert "{NEW}"\n', encoding="utf-8")
    return tmp_path


def test_committed_catalogue_equals_what_the_code_gives():
    problems = rules.drift(REPO)
    assert problems == [], "the rule catalogue is stale: run `make rules` and commit docs/rules.*\n" + "\n".join(
        problems)


def test_every_rule_id_cited_in_this_repository_is_described():
    """Each rule id the code cites has its statement and source in docs/rules-source.yaml."""
    assert rules.build(REPO)["undescribed"] == []


def test_every_described_rule_has_both_statements_a_tag_and_a_source():
    data = yaml.safe_load((REPO / rules.SOURCE).read_text(encoding="utf-8"))
    for rule, entry in data["rules"].items():
        assert entry["tag"] in rules.TAGS, rule
        assert entry["zh"] and entry["en"] and entry["source"], rule
        assert any("\u4e00" <= ch <= "\u9fff" for ch in entry["zh"]), rule
        assert rules.load_data(REPO).family_of(rule) in data["families"], rule


def test_catalogue_lists_where_a_rule_is_implemented_and_which_tests_cite_it(tmp_path):
    root = _mini_repo(tmp_path)
    catalogue = {r["id"]: r for r in rules.build(root)["rules"]}
    entry = catalogue[REG]
    assert entry["implemented_in"] == ["services/demo/src/yishe_demo/service.py"]
    assert entry["tests"] == ["services/demo/tests/test_demo.py::test_refused_when_late"]
    assert entry["status"] == "tested" and entry["statement_zh"].startswith("社会团体登记程序")
    # a range cites every described rule inside it
    assert {"PARTY" + "-1", "PARTY" + "-2", "PARTY" + "-3"} <= {
        r for r, e in catalogue.items() if e["implemented_in"]}


def test_id_cited_in_code_but_absent_from_the_data_file_is_reported(tmp_path):
    root = _mini_repo(tmp_path)
    catalogue = rules.build(root)
    assert catalogue["undescribed"] == [NEW]
    assert _run("generate", root=root).returncode == 0
    assert f"Add these to `docs/rules-source.yaml`: `{NEW}`" in (root / "docs/rules.md").read_text(encoding="utf-8")
    unknown = _run("unknown", root=root)
    assert unknown.returncode == 1 and unknown.stdout.split() == [NEW]


def test_check_fails_when_the_committed_catalogue_drifts(tmp_path):
    root = _mini_repo(tmp_path)
    assert _run("generate", root=root).returncode == 0
    assert _run("check", root=root).returncode == 0
    (root / "services/demo/src/yishe_demo/other.py").write_text(f'RULE = "{REG}"\n', encoding="utf-8")
    drifted = _run("check", root=root)
    assert drifted.returncode == 1 and "changed: docs/rules.md" in drifted.stderr
    written = json.loads((root / "docs/rules.json").read_text(encoding="utf-8"))
    assert written["rules"] and written["undescribed"] == [NEW]
