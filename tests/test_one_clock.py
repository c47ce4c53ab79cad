"""One business clock (issue 13): no module outside the tests asks the machine for "today" or a naive "now"
(`date.today()`, `datetime.today()`, `datetime.now()` without a zone, `datetime.utcnow()`); business dates come
from `yishe_kit.clock` (Asia/Shanghai, the platform date in dev). Ruff's DTZ rules say the same in `make lint`."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SOURCES = ("libs", "contracts", "services", "gateway", "scripts", "bench", "deploy")


def _modules() -> list[Path]:
    return [p for top in SOURCES for p in (ROOT / top).rglob("*.py")
            if "tests" not in p.relative_to(ROOT).parts and ".venv" not in p.parts and p.name != "conftest.py"]


def _machine_clock_calls(tree: ast.AST) -> list[tuple[int, str]]:
    found = []
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
            continue
        owner, attr = node.func.value, node.func.attr
        name = owner.attr if isinstance(owner, ast.Attribute) else getattr(owner, "id", None)
        if name not in ("date", "datetime"):
            continue
        naive_now = attr == "now" and name == "datetime" and not node.args and not node.keywords
        if attr in ("today", "utcnow", "utcfromtimestamp") or naive_now:
            found.append((node.lineno, f"{name}.{attr}()"))
    return found


def test_the_checker_finds_what_it_forbids() -> None:
    code = "date.today()\ndatetime.datetime.utcnow()\ndatetime.now()\ndatetime.now(UTC)\nclock.today()\n"
    assert _machine_clock_calls(ast.parse(code)) == [(1, "date.today()"), (2, "datetime.utcnow()"),
                                                    (3, "datetime.now()")]


def test_no_machine_clock_outside_tests() -> None:
    """Issue 13: a module that reads the machine's date decides by another "today" than every other process."""
    offenders = [f"{path.relative_to(ROOT)}:{line}: {call}" for path in _modules()
                 for line, call in _machine_clock_calls(ast.parse(path.read_text(encoding="utf-8")))]
    assert offenders == [], "use yishe_kit.clock (Clock.today / TodayDep) instead:\n" + "\n".join(offenders)
