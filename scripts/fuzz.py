"""`make fuzz`: schemathesis over every service's and the gateway's OpenAPI, failing on any server error (issue 12).

Starts the embedded stack as `make run` does (its own temporary data dir, free ports, its own NATS), then runs
`st run` once per target with the `not_a_server_error` check: each service directly, vouched for as whole-city staff
by an assertion signed with the stack's development key (the services refuse anything else, so an unsigned run
would only test the 401), and the gateway's own API with the development staff token. Each target is bounded by
examples per operation and by time (schemathesis's own `--max-time`, so a target always ends with its report); any
server error, or a target that hangs far beyond its bound, fails the run.

Usage: python scripts/fuzz.py [seconds per target, default 60] [examples per operation, default 25]
(FUZZ_SECONDS / FUZZ_EXAMPLES in the environment do the same; CI runs it with small bounds.)
"""

from __future__ import annotations

import importlib.util
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import NamedTuple

ROOT = Path(__file__).resolve().parent.parent
ST = str(Path(sys.executable).parent / "st")
GRACE = 60.0  # seconds beyond 1.5 × its bound after which a target counts as hung


class Result(NamedTuple):
    status: str  # passed, failed (a server error, or schemathesis itself failed) or hung
    generated: int  # test cases (requests) schemathesis generated
    server_errors: int  # unique server errors found
    seconds: float


def _stack_module():
    spec = importlib.util.spec_from_file_location("yishe_stack", ROOT / "scripts" / "stack.py")
    mod = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = mod
    spec.loader.exec_module(mod)
    return mod


def run_target(name: str, url: str, headers: dict[str, str], seconds: float, examples: int, report: Path) -> Result:
    """One `st run`, bounded by schemathesis itself (`--max-time`): it shares the time between its phases and ends
    with its report, failures included. (Killing it from outside at the bound, as before, lost every failure it had
    found and always cut the registry short in its coverage phase, which --max-examples does not bound.) A run that
    overruns its own bound by far is stopped (SIGINT, so it still reports) and fails: something hangs."""
    args = [ST, "run", url, "--checks", "not_a_server_error", "--max-examples", str(examples),
            "--max-time", str(max(1, int(seconds))), "--phases", "examples,coverage,fuzzing",
            "--request-timeout", "10", "--workers", "1", "--generation-deterministic",
            "--report", "junit", "--report-junit-path", str(report / f"{name}.xml")]
    for key, value in headers.items():
        args += ["-H", f"{key}: {value}"]
    print(f"fuzz: {name} ({url}), at most {seconds:.0f} s, {examples} examples per operation", flush=True)
    began = time.monotonic()
    hung = False
    # cwd: schemathesis keeps a crash cache (.schemathesis/) where it runs; it belongs to this run, not the repo.
    with subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, cwd=report) as proc:
        try:
            out, _ = proc.communicate(timeout=seconds * 1.5 + GRACE)
        except subprocess.TimeoutExpired:
            hung = True
            proc.send_signal(signal.SIGINT)
            try:
                out, _ = proc.communicate(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
                out, _ = proc.communicate()
    elapsed = time.monotonic() - began
    errors = sum(int(n) for n in re.findall(r"Server error: (\d+)", out))
    generated = sum(int(n) for n in re.findall(r"(\d+) generated", out))
    print(out[-6000:] if proc.returncode or hung else out[-1500:])
    if hung:
        print(f"fuzz: {name}: still running {elapsed:.0f} s after start, far beyond its bound: stopped")
        status = "hung"
    elif proc.returncode == 0:
        status = "passed"
    else:
        status = "failed"
    return Result(status, generated, errors, elapsed)


def main() -> int:
    args = [a for a in sys.argv[1:] if not a.startswith("-")]
    seconds = float(args[0] if args else os.environ.get("FUZZ_SECONDS", "60"))
    examples = int(args[1] if len(args) > 1 else os.environ.get("FUZZ_EXAMPLES", "25"))
    stack_mod = _stack_module()
    from yishe_kit.testing import free_port

    data = Path(tempfile.mkdtemp(prefix="yishe-fuzz-"))
    report = data / "reports"
    report.mkdir()
    stack = stack_mod.Stack(data_dir=data, nats_port=free_port(), gateway_port=free_port(), nats_url=None,
                            db_urls={}, ports={svc: free_port() for svc in stack_mod.SERVICES})
    stack.start()
    results: dict[str, Result] = {}
    try:
        for svc in stack_mod.SERVICES:
            headers = stack.vouch(svc, role="staff", actor="fuzz", ttl_seconds=int(seconds) + 600)
            results[svc] = run_target(svc, f"{stack.url(svc)}/openapi.json", headers, seconds, examples, report)
        token = (data / "dev-token").read_text().strip()
        results["gateway"] = run_target("gateway", f"{stack.gateway_url}/openapi/gateway.json",
                                        {"Authorization": f"Bearer {token}"}, seconds, examples, report)
    finally:
        stack.stop()
    print("fuzz results (target: status, test cases, server errors, seconds):")
    for name, r in results.items():
        print(f"  {name:12} {r.status:7} {r.generated:6} {r.server_errors:3} {r.seconds:5.0f}")
    print(f"fuzz: {sum(r.generated for r in results.values())} test cases, "
          f"{sum(r.server_errors for r in results.values())} server errors (reports in {report})")
    return 0 if all(r.status == "passed" for r in results.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
