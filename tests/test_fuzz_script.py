"""scripts/fuzz.py (issue 12, no 5xx): a target's server errors are counted and fail the run, also when the target
runs long; a target that hangs fails. Schemathesis is stood in for by a small script printing what `st run` prints."""

from __future__ import annotations

import importlib.util
import stat
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def _fuzz_module():
    spec = importlib.util.spec_from_file_location("yishe_fuzz_script", REPO / "scripts" / "fuzz.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def _fake_st(tmp_path: Path, body: str) -> str:
    script = tmp_path / "st"
    script.write_text(f"#!{sys.executable}\nimport sys, time, signal\n{body}\n")
    script.chmod(script.stat().st_mode | stat.S_IEXEC)
    return str(script)


def test_server_errors_are_counted_and_fail_the_target(tmp_path) -> None:
    """Issue 12: the summary's server errors and test cases are reported per target, and any fails it."""
    fuzz = _fuzz_module()
    fuzz.ST = _fake_st(tmp_path, 'print("  ❌ ST101 Server error: 3")\nprint("  812 generated, 1 found 3 unique")\n'
                                 "sys.exit(1)")
    result = fuzz.run_target("credit", "http://x/openapi.json", {}, 5, 1, tmp_path)
    assert (result.status, result.generated, result.server_errors) == ("failed", 812, 3)
    fuzz.ST = _fake_st(tmp_path, 'print("  500 generated, 500 passed")')
    assert fuzz.run_target("credit", "http://x/openapi.json", {}, 5, 1, tmp_path).status == "passed"


def test_a_target_that_hangs_is_interrupted_still_reports_and_fails(tmp_path) -> None:
    """Issue 12: a target past its bound used to be killed and counted as passed, losing the server errors it had
    found (cultivation's three); now it is interrupted (SIGINT, so schemathesis prints its summary) and fails."""
    fuzz = _fuzz_module()
    fuzz.GRACE = 0.5
    fuzz.ST = _fake_st(tmp_path, "def stop(*_):\n    print('  ❌ ST101 Server error: 2')\n    sys.exit(1)\n"
                                 "signal.signal(signal.SIGINT, stop)\ntime.sleep(60)")
    result = fuzz.run_target("cultivation", "http://x/openapi.json", {}, 0.1, 1, tmp_path)
    assert (result.status, result.server_errors) == ("hung", 2)
