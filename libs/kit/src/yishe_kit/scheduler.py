"""The daily-job scheduler for hosts without a CronJob (compose): once a day at a set Asia/Shanghai time it POSTs each
service's `/v1/jobs/daily` with the internal identity, retrying a failed call until it answers. The day is the
service's own business date (its kit clock, platform date included: ONE CLOCK); `--as-of` names a past day.

    python -m yishe_kit.scheduler --at 00:10 http://registry:8000 http://credit:8000 ...
    python -m yishe_kit.scheduler --once http://registry:8000      # one run now (a CronJob's command)

One scheduler runs per deployment (one compose service, one Kubernetes CronJob with `concurrencyPolicy: Forbid`):
the app replicas never schedule anything themselves. Each service's daily job is a job (yishe_kit.jobs): 202 when
started, 409 `job_running` (JOB-1) while one already runs, on any replica (a partial unique index), so a call that
meets a running one is done, not failed; a repeated run for the same day changes nothing. Standard library only, so
it runs in any of the images. Services act only on a caller the gateway vouched for (yishe_kit.assertion): the
scheduler signs each call itself with the gateway's private key (`YISHE_SCHEDULER_PRIVATE_KEY_FILE`, else
`GATEWAY_ASSERTION__PRIVATE_KEY_FILE` / `GATEWAY_ASSERTION__PRIVATE_KEY`), addressed to the service named by the
URL's host (`http://registry:8000` → `registry`) or given as `registry=http://…`."""

from __future__ import annotations

import argparse
import contextlib
import json
import sys
import time
import urllib.error
import urllib.request
from datetime import date, datetime, timedelta

from .clock import BUSINESS_TZ as SHANGHAI

ALREADY_RUNNING = 299  # reported as a success: the day's run is under way (409 job_running from the service)
HEADERS = {"Accept-Language": "en"}
ACTOR = "system:scheduler"


def _target(spec: str) -> tuple[str, str]:
    """(service, base URL) from `name=url` or a URL whose host names the service."""
    from urllib.parse import urlsplit

    if "=" in spec.split("://", 1)[0]:
        name, url = spec.split("=", 1)
        return name, url
    host = urlsplit(spec).hostname or ""
    return host.split(".")[0].split("-")[-1] if host else "", spec


def _assertion(service: str) -> dict[str, str]:
    """The signed assertion a service needs (internal, the scheduler as actor); none without a key (logged)."""
    import os
    from pathlib import Path

    path = os.environ.get("YISHE_SCHEDULER_PRIVATE_KEY_FILE") or os.environ.get("GATEWAY_ASSERTION__PRIVATE_KEY_FILE")
    pem = Path(path).read_text() if path else os.environ.get("GATEWAY_ASSERTION__PRIVATE_KEY")
    if not pem:
        _log("no signing key: services will refuse the call (401)", service=service)
        return {}
    from .assertion import HEADER, Minter

    return {HEADER: Minter(pem).mint(service, role="internal", actor=ACTOR, ttl_seconds=300)}


def _log(event: str, **fields: object) -> None:
    print(json.dumps({"event": event, "service": "scheduler", **fields}, ensure_ascii=False), flush=True)


def run_once(base_urls: list[str], as_of: date | None = None, *, timeout: float = 600.0) -> dict[str, int]:
    """POST each service's daily job (for `as_of`, else the service's business date); the HTTP status per service
    (0 = no answer)."""
    outcome: dict[str, int] = {}
    for spec in base_urls:
        service, base = _target(spec)
        url = f"{base.rstrip('/')}/v1/jobs/daily" + (f"?as_of={as_of.isoformat()}" if as_of else "")
        request = urllib.request.Request(url, method="POST", headers={**HEADERS, **_assertion(service)}, data=b"")
        try:
            with urllib.request.urlopen(request, timeout=timeout) as resp:
                outcome[spec] = resp.status
        except urllib.error.HTTPError as exc:
            outcome[spec] = exc.code
            if exc.code == 409:
                with contextlib.suppress(Exception):
                    if json.loads(exc.read()).get("code") == "job_running":
                        outcome[spec] = ALREADY_RUNNING
        except (urllib.error.URLError, OSError) as exc:
            outcome[spec] = 0
            _log("daily job call failed", url=url, error=repr(exc))
        _log("daily job", url=url, status=outcome[spec])
    return outcome


def next_run(now: datetime, at: str) -> datetime:
    """The next instant at `at` (HH:MM, Asia/Shanghai) strictly after `now`."""
    hour, minute = (int(p) for p in at.split(":"))
    local = now.astimezone(SHANGHAI)
    candidate = local.replace(hour=hour, minute=minute, second=0, microsecond=0)
    return candidate if candidate > local else candidate + timedelta(days=1)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m yishe_kit.scheduler", description=__doc__.split("\n")[0])
    parser.add_argument("base_urls", nargs="+", help="each service's base URL, e.g. http://registry:8000")
    parser.add_argument("--at", default="00:10", help="daily time, HH:MM Asia/Shanghai (default 00:10)")
    parser.add_argument("--once", action="store_true", help="run today's jobs once and exit (non-zero on failure)")
    parser.add_argument("--as-of", type=date.fromisoformat, default=None,
                        help="YYYY-MM-DD: run for this day (default: each service's business date)")
    parser.add_argument("--retry-seconds", type=float, default=60.0)
    args = parser.parse_args(argv)
    if args.once:
        outcome = run_once(args.base_urls, args.as_of)
        return 0 if all(200 <= s < 300 for s in outcome.values()) else 1
    while True:
        due = next_run(datetime.now(SHANGHAI), args.at)
        _log("next daily run", at=due.isoformat())
        time.sleep(max(0.0, (due - datetime.now(SHANGHAI)).total_seconds()))
        pending = list(args.base_urls)
        while pending:  # a service down at the hour is called again until it answers
            outcome = run_once(pending, args.as_of)
            pending = [base for base, status in outcome.items() if not 200 <= status < 300]
            if pending:
                time.sleep(args.retry_seconds)


if __name__ == "__main__":
    sys.exit(main())
