"""The embedded default runs each service's (and the gateway's) event consumers in a process of their own, at a lower
CPU priority than the process answering requests (`ServiceSettings.runs`, `scripts/stack.py`): a backlog of events
neither holds the requests' event loop nor takes their CPU (issue 11: lookups during a bulk propagation)."""

from __future__ import annotations

import os
from pathlib import Path

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

pytestmark = [pytest.mark.e2e]

NAMES = ("registry", "credit", "procurement", "party", "cultivation", "gateway")


def _durables(metrics: str) -> set[str]:
    """The durables a process reports consumer lag for (its own consumers)."""
    return {sample.labels["durable"] for family in text_string_to_metric_families(metrics)
            if family.name == "yishe_consumer_pending_messages" for sample in family.samples}


def _nice(pid: int) -> int:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return int(fields[16])  # field 19 of proc(5), counted after the command's closing parenthesis


def test_each_service_and_the_gateway_take_events_in_a_lower_priority_process_that_serves_no_api(stack) -> None:
    if not stack.apart:
        pytest.skip("YISHE_CONSUMERS_APART=0: one process each")
    for name in NAMES:
        api, consumers = stack.processes(name)
        assert consumers == f"{name}-consumers"
        base = f"http://{stack.host}:{stack.bound[consumers]}"
        assert httpx.get(f"{base}/health/ready", timeout=10).status_code == 200
        # The consumers process owns every durable; the API process none (it answers requests, runs jobs, relays).
        own = _durables(httpx.get(f"{base}/metrics", timeout=10).text)
        assert own and all(d.startswith(f"{name}-") for d in own), own
        assert _durables(httpx.get(f"http://{stack.host}:{stack.bound[api]}/metrics", timeout=10).text) == set()
        assert _nice(stack.procs[consumers].pid) == _nice(os.getpid()) + stack.consumers_nice
        assert _nice(stack.procs[api].pid) == _nice(os.getpid())
        if name == "gateway":
            refused = httpx.get(f"{base}/v1/code/51330300MJ8A2T0116", timeout=10)
        else:  # vouched for as the gateway would: still no API here
            refused = httpx.get(f"{base}/v1/organisations", timeout=10,
                                headers=stack.vouch(name, role="staff", actor="apart-test"))
        assert refused.status_code == 404, refused.text
        assert refused.json()["code"] == "consumers_only" and "runs=api" in refused.json()["detail"]
