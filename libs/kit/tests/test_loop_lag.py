"""Every process reports its event loop's lag (`yishe_event_loop_lag_seconds`), so an operator sees when a
process's own work (a consumer's batch, a job) holds the requests it receives; the bulk benchmark reads it too."""

from __future__ import annotations

import time

from fastapi import FastAPI
from prometheus_client.parser import text_string_to_metric_families
from starlette.testclient import TestClient

from yishe_kit.access_log import observe
from yishe_kit.metrics import LOOP_PROBE_S
from yishe_kit.settings import TelemetrySettings


def _lag(text: str) -> dict[str, float]:
    """The histogram's samples: `count`, `sum` and each bucket `le=…` (cumulative)."""
    out: dict[str, float] = {}
    for family in text_string_to_metric_families(text):
        if family.name != "yishe_event_loop_lag_seconds":
            continue
        for sample in family.samples:
            if sample.name.endswith("_bucket"):
                out[f"le={sample.labels['le']}"] = sample.value
            else:
                out[sample.name.rsplit("_", 1)[1]] = sample.value
    return out


def test_a_stretch_of_work_without_an_await_shows_as_event_loop_lag_when_metrics_are_scraped() -> None:
    app = FastAPI()

    @app.get("/block")
    async def block() -> dict:
        time.sleep(0.4)  # a handler's work that never awaits: every other request of the process waits meanwhile
        return {}

    observe(app, "kit-test", TelemetrySettings(access_log=False))
    with TestClient(app) as client:
        time.sleep(3 * LOOP_PROBE_S)
        before = _lag(client.get("/metrics").text)
        assert before["count"] >= 1  # the probe runs with the app, from its start
        assert client.get("/block").status_code == 200
        time.sleep(3 * LOOP_PROBE_S)
        after = _lag(client.get("/metrics").text)
    # The probe's timer fell due during the 0.4 s block (one is due every LOOP_PROBE_S ≤ 0.25 s) and ran after it:
    # at least 0.15 s late, past the 0.1 bucket.
    assert LOOP_PROBE_S <= 0.25
    late = lambda lag: lag["count"] - lag["le=0.1"]  # noqa: E731
    assert late(after) - late(before) >= 1, (before, after)
    assert after["sum"] - before["sum"] >= 0.15
