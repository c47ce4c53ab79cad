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
        if attr == "date" and isinstance(owner, ast.Call) and _machine_now(owner):
            found.append((node.lineno, "datetime.now(…).date()"))  # the UTC day, not the business day
            continue
        name = owner.attr if isinstance(owner, ast.Attribute) else getattr(owner, "id", None)
        if name not in ("date", "datetime"):
            continue
        naive_now = attr == "now" and name == "datetime" and not node.args and not node.keywords
        if attr in ("today", "utcnow", "utcfromtimestamp") or naive_now:
            found.append((node.lineno, f"{name}.{attr}()"))
    return found


def _machine_now(call: ast.Call) -> bool:
    func = call.func
    owner = func.value if isinstance(func, ast.Attribute) else None
    name = owner.attr if isinstance(owner, ast.Attribute) else getattr(owner, "id", None)
    return isinstance(func, ast.Attribute) and func.attr == "now" and name == "datetime"


def test_the_checker_finds_what_it_forbids() -> None:
    code = ("date.today()\ndatetime.datetime.utcnow()\ndatetime.now()\ndatetime.now(UTC)\nclock.today()\n"
            "datetime.now(UTC).date()\nclock.now().date()\n")
    assert _machine_clock_calls(ast.parse(code)) == [(1, "date.today()"), (2, "datetime.utcnow()"),
                                                    (3, "datetime.now()"), (6, "datetime.now(…).date()")]


def test_no_machine_clock_outside_tests() -> None:
    """Issue 13: a module that reads the machine's date decides by another "today" than every other process."""
    offenders = [f"{path.relative_to(ROOT)}:{line}: {call}" for path in _modules()
                 for line, call in _machine_clock_calls(ast.parse(path.read_text(encoding="utf-8")))]
    assert offenders == [], "use yishe_kit.clock (Clock.today / TodayDep) instead:\n" + "\n".join(offenders)


def test_no_utc_day_taken_for_the_business_day_in_tests_either() -> None:
    """Issue 13: `datetime.now(UTC).date()` is the UTC day, a day behind the business day (Asia/Shanghai) for eight
    hours of it; tests take "today" from the kit clock too (`yishe_kit.clock.today`)."""
    tests = [p for top in SOURCES for p in (ROOT / top).rglob("*.py")
             if "tests" in p.relative_to(ROOT).parts and ".venv" not in p.parts]
    tests += list((ROOT / "tests").rglob("*.py"))
    offenders = [f"{path.relative_to(ROOT)}:{line}" for path in tests
                 for line, call in _machine_clock_calls(ast.parse(path.read_text(encoding="utf-8")))
                 if call == "datetime.now(…).date()"]
    assert offenders == [], "use yishe_kit.clock.today():\n" + "\n".join(offenders)
