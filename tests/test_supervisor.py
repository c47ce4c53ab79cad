"""`make run` keeps the platform up (issue 12): a process that dies is restarted with backoff, and says so; stopping
still stops everything. Real processes (a tiny Python one that crashes at once)."""

from __future__ import annotations

import importlib.util
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _stack_module():
    spec = importlib.util.spec_from_file_location("yishe_stack_supervisor", ROOT / "scripts" / "stack.py")
    mod = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = mod
    spec.loader.exec_module(mod)
    return mod


def test_crashed_process_restarted_with_growing_backoff_and_stop_ends_it(tmp_path) -> None:
    stack = _stack_module().Stack(data_dir=tmp_path, nats_url="nats://127.0.0.1:1", db_urls={})
    stack.launch("crashy", [sys.executable, "-c", "import sys; sys.exit(3)"])
    stack.launch("steady", [sys.executable, "-c", "import time; time.sleep(60)"])
    first_pid, said = stack.procs["crashy"].pid, []
    deadline = time.monotonic() + 20
    while sum(line.startswith("yishe: crashy restarted") for line in said) < 2 and time.monotonic() < deadline:
        said += stack.restart_dead()
        time.sleep(0.05)
    exits = [line for line in said if "exited with code 3" in line]
    assert len(exits) >= 2 and "restarting in 1 s" in exits[0] and "restarting in 2 s" in exits[1]
    assert any("crashy restarted" in line for line in said) and stack.procs["crashy"].pid != first_pid
    assert not any("steady" in line for line in said)
    stack.stop()
    assert stack.procs == {}
