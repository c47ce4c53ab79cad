"""OPS-1: the compose scheduler calls each service's daily job once a day at its Asia/Shanghai time, as the internal
identity, for the Shanghai date; a CronJob runs the same command with `--once`."""

from __future__ import annotations

import threading
from datetime import UTC, date, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from yishe_kit import scheduler
from yishe_kit.assertion import HEADER, Verifier, load_public_key
from yishe_kit.testing import key_pair_for_tests


def test_next_run_is_the_next_shanghai_time_when_asked_before_and_after_it() -> None:
    """OPS-1: 00:10 Asia/Shanghai is 16:10 UTC the day before."""
    before = datetime(2026, 12, 2, 16, 0, tzinfo=UTC)  # 00:00 on 12-03 in Shanghai
    assert scheduler.next_run(before, "00:10") == datetime(2026, 12, 2, 16, 10, tzinfo=UTC)
    after = datetime(2026, 12, 2, 16, 11, tzinfo=UTC)
    assert scheduler.next_run(after, "00:10") == datetime(2026, 12, 3, 16, 10, tzinfo=UTC)
    assert scheduler.next_run(before, "00:10").astimezone(scheduler.SHANGHAI).date() == date(2026, 12, 3)


def test_run_once_posts_daily_job_with_internal_identity_and_reports_each_status() -> None:
    """OPS-1: POST /v1/jobs/daily as internal, vouched for by an assertion the scheduler signs (AUTH: services act only
    on a caller the gateway's key vouched for); 202 started, 409 job_running counts as under way, an
    unreachable service is reported (0)."""
    seen: list[tuple[str, str, str | None]] = []
    answers = [(202, b"{}"), (202, b"{}"), (409, b'{"code": "job_running"}'), (409, b'{"code": "other"}')]

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            principal = Verifier("registry", load_public_key(key_pair_for_tests()[1])).principal(
                self.headers.get(HEADER))
            seen.append((self.command, self.path, principal.role))
            status, body = answers.pop(0)
            self.send_response(status)
            self.send_header("content-length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            return None

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        base = f"registry=http://127.0.0.1:{server.server_address[1]}"  # the audience named, the host is an address
        outcome = scheduler.run_once([base, "http://127.0.0.1:9"], timeout=5)
        scheduler.run_once([base], date(2026, 12, 3), timeout=5)
        running = scheduler.run_once([base], timeout=5)
        refused = scheduler.run_once([base], timeout=5)
    finally:
        server.shutdown()
    # The service's own business date by default (ONE CLOCK); a named day only when asked for.
    assert seen[:2] == [("POST", "/v1/jobs/daily", "internal"), ("POST", "/v1/jobs/daily?as_of=2026-12-03", "internal")]
    assert outcome == {base: 202, "http://127.0.0.1:9": 0}
    # JOB-1: a run already under way (on any replica) is not a failure; another 409 is.
    assert running == {base: scheduler.ALREADY_RUNNING} and refused == {base: 409}
