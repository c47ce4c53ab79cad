"""The rule catalogue: every rule id the code cites, with its statement, source, where it is implemented and which
tests cover it, generated from `docs/rules-source.yaml` (statements and sources) and a scan of the code.

    .venv/bin/python scripts/rules.py generate   # write docs/rules.md and docs/rules.json
    .venv/bin/python scripts/rules.py check      # exit 1 when the committed catalogue differs from the code
    .venv/bin/python scripts/rules.py unknown    # exit 1 listing ids cited in code but absent from the data file

What counts (paths relative to the repository root):

- implemented in: the source files (`services/*/src`, `services/*/migrations`, `gateway/src`, `gateway/migrations`,
  `libs/*/src`, `contracts/src`; `.py`) that cite the id anywhere: error problems, docstrings, rule tables;
- tests: each test function (or test module) whose docstring cites the id (`services/*/tests`, `gateway/tests`,
  `libs/*/tests`, `contracts/tests`, `tests`), and every test file that mentions it at all (e.g. asserting it);
- an id is `FAMILY-N` or `FAMILY-N.M` for a family of the data file, or `P-NAME`; a range `REG-1..REG-5`,
  `PARTY-1..3` or `CR-6.1–CR-6.7` cites every id of the data file inside it.

An id cited in code but absent from the data file is listed in the catalogue (and by `unknown`), so a rule never
goes unexplained; a rule of the data file cited nowhere stays in the catalogue as "described only".
"""

from __future__ import annotations

import argparse
import ast
import json
import re
import sys
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[1]
SOURCE = "docs/rules-source.yaml"
OUTPUTS = ("docs/rules.md", "docs/rules.json")
IMPLEMENTATION_GLOBS = ("services/*/src", "services/*/migrations", "gateway/src", "gateway/migrations", "libs/*/src",
                        "contracts/src")
TEST_GLOBS = ("services/*/tests", "gateway/tests", "libs/*/tests", "contracts/tests", "tests")
TAGS = {"V": "verified", "S": "secondary source", "D": "draft", "M": "unverified", "P": "project proposal"}
_ANY_ID = re.compile(r"(?<![\w.-])([A-Z]{2,8})-(\d+)(?:\.(\d+))?(?![\w])")
_NAMED_ID = re.compile(r"(?<![\w-])P-[A-Z]+(?:-[A-Z]+)*(?![\w-])")


@dataclass(frozen=True, order=True)
class RuleId:
    family: str
    major: int
    minor: int | None = None

    @classmethod
    def parse(cls, text: str) -> RuleId | None:
        m = re.fullmatch(r"([A-Z]{1,8})-(\d+)(?:\.(\d+))?", text)
        return cls(m[1], int(m[2]), int(m[3]) if m[3] else None) if m else None

    def __str__(self) -> str:
        return f"{self.family}-{self.major}" + (f".{self.minor}" if self.minor is not None else "")


@dataclass
class Data:
    families: dict[str, dict[str, str]]
    rules: dict[str, dict[str, str]]
    not_rules: frozenset[str] = frozenset()

    def family_of(self, rule: str) -> str:
        return "P" if _NAMED_ID.fullmatch(rule) else rule.split("-", 1)[0]


@dataclass
class Citations:
    implemented: dict[str, set[str]] = field(default_factory=dict)
    tests: dict[str, set[str]] = field(default_factory=dict)
    test_files: dict[str, set[str]] = field(default_factory=dict)

    def add(self, kind: str, rule: str, where: str) -> None:
        getattr(self, kind).setdefault(rule, set()).add(where)


def load_data(repo: Path) -> Data:
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    raw = yaml.load((repo / SOURCE).read_text(encoding="utf-8"), Loader=loader)
    return Data(families=raw["families"], rules={str(k): v for k, v in raw["rules"].items()},
                not_rules=frozenset(raw.get("not_rules", ())))


# ---------------------------------------------------------------------------------------------------------
# scanning


_RANGE = re.compile(r"(?<![\w-])([A-Z]{2,8})-(\d+)(?:\.(\d+))?\s*(?:\.\.|–)\s*(?:([A-Z]{2,8})-)?(\d+)(?:\.(\d+))?")


def cited_ids(text: str, data: Data) -> set[str]:
    """Every rule id `text` cites: plain ids of known families (or unknown ones that look like rules) and ranges."""
    found: set[str] = set()
    for m in _ANY_ID.finditer(text):
        if m[1] not in data.not_rules:
            found.add(f"{m[1]}-{m[2]}" + (f".{m[3]}" if m[3] else ""))
    found.update(m[0] for m in _NAMED_ID.finditer(text))
    for m in _RANGE.finditer(text):
        family, end_family = m[1], m[4] or m[1]
        if end_family != family or family in data.not_rules:
            continue
        start = RuleId(family, int(m[2]), int(m[3]) if m[3] else None)
        if m[6] is not None:  # CR-6.1–CR-6.7 or CR-12.3–12.5: minor numbers within one major
            end = RuleId(family, int(m[5]), int(m[6]))
        elif start.minor is not None and m[4] is None:  # CR-6.1..7
            end = RuleId(family, start.major, int(m[5]))
        else:
            end = RuleId(family, int(m[5]))
        for rule in data.rules:
            parsed = RuleId.parse(rule)
            if parsed and parsed.family == family and _within(parsed, start, end):
                found.add(rule)
    return {f for f in found if data.family_of(f) in data.families or f not in data.rules}


def _within(rule: RuleId, start: RuleId, end: RuleId) -> bool:
    if start.minor is None and end.minor is None:
        return start.major <= rule.major <= end.major
    key = (rule.major, rule.minor or 0)
    return (start.major, start.minor or 0) <= key <= (end.major, end.minor or 0)


def _files(repo: Path, globs: Iterable[str]) -> list[Path]:
    return sorted({p for g in globs for d in repo.glob(g) if d.is_dir() for p in d.rglob("*.py")
                   if "__pycache__" not in p.parts})


def _docstring_citations(tree: ast.AST, rel: str, data: Data) -> list[tuple[str, str]]:
    """(rule, where) for the module docstring (`path`) and each test function's or class's (`path::name`)."""
    out = [(rule, rel) for rule in cited_ids(ast.get_docstring(tree) or "", data)] if isinstance(
        tree, ast.Module) else []
    nodes = list(getattr(tree, "body", []))
    nodes += [n for c in nodes if isinstance(c, ast.ClassDef) and c.name.startswith("Test") for n in c.body]
    for node in nodes:
        if (isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.name.startswith("test")) or (
                isinstance(node, ast.ClassDef) and node.name.startswith("Test")):
            out += [(rule, f"{rel}::{node.name}") for rule in cited_ids(ast.get_docstring(node) or "", data)]
    return out


def scan(repo: Path, data: Data) -> Citations:
    found = Citations()
    for path in _files(repo, IMPLEMENTATION_GLOBS):
        rel = path.relative_to(repo).as_posix()
        for rule in cited_ids(path.read_text(encoding="utf-8"), data):
            found.add("implemented", rule, rel)
    for path in _files(repo, TEST_GLOBS):
        rel = path.relative_to(repo).as_posix()
        text = path.read_text(encoding="utf-8")
        for rule in cited_ids(text, data):
            found.add("test_files", rule, rel)
        for rule, where in _docstring_citations(ast.parse(text), rel, data):
            found.add("tests", rule, where)
    return found


# ---------------------------------------------------------------------------------------------------------
# the catalogue


def _sort_key(data: Data, rule: str) -> tuple:
    order = list(data.families)
    family = data.family_of(rule)
    parsed = RuleId.parse(rule)
    number = (parsed.major, parsed.minor if parsed.minor is not None else -1) if parsed else (0, -1)
    return (order.index(family) if family in order else len(order), family, number, rule)


def build(repo: Path = REPO) -> dict:
    """The catalogue as data: described rules with their citations, and ids cited but not described."""
    data = load_data(repo)
    found = scan(repo, data)
    cited = set(found.implemented) | set(found.test_files)
    rules = []
    for rule in sorted(set(data.rules) | cited, key=lambda r: _sort_key(data, r)):
        described = data.rules.get(rule)
        implemented, tests = sorted(found.implemented.get(rule, ())), sorted(found.tests.get(rule, ()))
        test_files = sorted(found.test_files.get(rule, ()))
        status = ("tested" if implemented and (tests or test_files) else "implemented" if implemented
                  else "tests only" if tests or test_files else "described only")
        entry = {"id": rule, "family": data.family_of(rule), "status": status}
        if described is None:
            entry |= {"described": False}
        else:
            entry |= {"described": True, "tag": described["tag"], "statement_zh": described["zh"],
                      "statement_en": described["en"], "source": described["source"]}
        rules.append(entry | {"implemented_in": implemented, "tests": tests, "test_files": test_files})
    undescribed = [r["id"] for r in rules if not r["described"]]
    return {"families": data.families, "rules": rules, "undescribed": undescribed}


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def render_markdown(catalogue: dict) -> str:
    rules = catalogue["rules"]
    counts = {s: sum(r["status"] == s for r in rules)
              for s in ("tested", "implemented", "tests only", "described only")}
    lines = [
        "# Rule catalogue (规则目录)",
        "",
        "Generated by `make rules` (`scripts/rules.py`) from `docs/rules-source.yaml` (statements, sources) and the",
        "code (where each rule id is cited); do not edit by hand. `make test` fails when this file is out of date.",
        "",
        f"{len(rules)} rules: {counts['tested']} implemented and tested, {counts['implemented']} implemented without "
        f"a test naming them, {counts['tests only']} named only in tests, {counts['described only']} described "
        "only (reference, not implemented).",
        "",
        "Tags: " + "; ".join(f"**{k}** {v}" for k, v in TAGS.items()) + ".",
        "",
    ]
    if catalogue["undescribed"]:
        lines += ["## Cited in code but not described", "",
                  "Add these to `docs/rules-source.yaml`: " + ", ".join(f"`{r}`" for r in catalogue["undescribed"]),
                  ""]
    by_family: dict[str, list[dict]] = {}
    for rule in rules:
        by_family.setdefault(rule["family"], []).append(rule)
    for family, members in by_family.items():
        title = catalogue["families"].get(family, {"zh": "未登记的规则族", "en": "family not in the data file"})
        lines += [f"## {family} — {title['zh']} ({title['en']})", ""]
        lines += ["| id | rule | source | implemented in | tests |", "| --- | --- | --- | --- | --- |"]
        for r in members:
            if r["described"]:
                statement = f"{_cell(r['statement_zh'])}<br>{_cell(r['statement_en'])} [{r['tag']}]"
                source = _cell(r["source"])
            else:
                statement, source = "**not described in docs/rules-source.yaml**", ""
            implemented = "<br>".join(f"`{p}`" for p in r["implemented_in"]) or "—"
            tests = "<br>".join(f"`{t}`" for t in r["tests"])
            others = [f for f in r["test_files"] if not any(t.split("::")[0] == f for t in r["tests"])]
            if others:
                tests += ("<br>" if tests else "") + "also in " + ", ".join(f"`{f}`" for f in others)
            lines.append(f"| {r['id']} | {statement} | {source} | {implemented} | {tests or '—'} |")
        lines.append("")
    return "\n".join(lines)


def render_all(repo: Path = REPO) -> dict[str, str]:
    catalogue = build(repo)
    return {"docs/rules.md": render_markdown(catalogue),
            "docs/rules.json": json.dumps(catalogue, ensure_ascii=False, indent=1, sort_keys=False) + "\n"}


def drift(repo: Path = REPO, out: Path | None = None) -> list[str]:
    """`changed: <path>` / `missing: <path>` for each output that differs from what the code gives now."""
    out = out or repo
    problems = []
    for rel, text in render_all(repo).items():
        path = out / rel
        if not path.is_file():
            problems.append(f"missing: {rel}")
        elif path.read_text(encoding="utf-8") != text:
            problems.append(f"changed: {rel}")
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("command", choices=["generate", "check", "unknown"])
    parser.add_argument("--root", type=Path, default=REPO, help="repository root (tests use a temporary one)")
    args = parser.parse_args(argv)
    root = args.root.resolve()
    if args.command == "generate":
        files = render_all(root)
        for rel, text in files.items():
            (root / rel).parent.mkdir(parents=True, exist_ok=True)
            (root / rel).write_text(text, encoding="utf-8")
        undescribed = json.loads(files["docs/rules.json"])["undescribed"]
        print(f"wrote {', '.join(files)}")
        if undescribed:
            print(f"cited in code but not described in {SOURCE}: {', '.join(undescribed)}", file=sys.stderr)
        return 0
    if args.command == "unknown":
        undescribed = build(root)["undescribed"]
        for rule in undescribed:
            print(rule)
        return 1 if undescribed else 0
    problems = drift(root)
    if problems:
        print("the rule catalogue differs from the code; run `make rules` (scripts/rules.py generate):",
              file=sys.stderr)
        for problem in problems:
            print(f"  {problem}", file=sys.stderr)
        return 1
    undescribed = build(root)["undescribed"]
    if undescribed:
        print(f"rule ids cited in code but not described in {SOURCE}: {', '.join(undescribed)}", file=sys.stderr)
    print("rule catalogue up to date")
    return 0


if __name__ == "__main__":
    sys.exit(main())
