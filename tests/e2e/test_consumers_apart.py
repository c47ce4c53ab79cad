"""The embedded default runs each service's (and the gateway's) event consumers in a process of their own, at a lower
CPU priority than the process answering requests (`ServiceSettings.runs`, `scripts/stack.py`): a backlog of events
neither holds the requests' event loop nor takes their CPU (issue 11: lookups during a bulk propagation)."""

from __future__ import annotations

import os
from pathlib import Path

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families
from registration_bodies import direct_registration

from yishe_kit.testing import eventually

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


async def test_each_process_relays_the_events_it_wrote_and_none_twice(stack, unique_name) -> None:
    """The API process and the consumers process of a service write one outbox; each row names its writer
    (`outbox.origin`) and each process's relay publishes its own rows, so neither publishes the other's again."""
    if not stack.apart:
        pytest.skip("YISHE_CONSUMERS_APART=0: one process each")
    staff = {"Authorization": f"Bearer {stack.dev['staff']['token']}"}
    async with httpx.AsyncClient(base_url=stack.gateway_url, timeout=15) as client:
        resp = await client.post("/api/registry/v1/organisations", json=direct_registration(unique_name),
                                 headers=staff)
    assert resp.status_code == 201, resp.text
    uscc = resp.json()["uscc"].encode()

    async def written(name: str, subject: str) -> list[tuple]:
        rows = await stack.fetch(name, f"SELECT origin, published_at, payload FROM outbox WHERE subject = '{subject}' "
                                       "ORDER BY seq")
        return [(origin, at) for origin, at, payload in rows if uscc in bytes(payload)]

    async def published(name: str, subject: str) -> list[tuple] | None:
        rows = await written(name, subject)
        return rows if rows and all(at is not None for _, at in rows) else None

    # A registration: written and relayed by the registry's API process; the credit profile it opens: by credit's
    # consumers process.
    assert [o for o, _ in await eventually(lambda: published("registry", "registry.organisation.registered.v1"))] \
        == ["api"]
    assert [o for o, _ in await eventually(lambda: published("credit", "credit.profile.opened.v1"))] \
        == ["consumers"]
    for name in ("registry", "credit"):
        for process in stack.processes(name):
            text = httpx.get(f"http://{stack.host}:{stack.bound[process]}/metrics", timeout=10).text
            counts = {s.name: s.value for f in text_string_to_metric_families(text) for s in f.samples
                      if s.name.startswith("yishe_relay_")}
            assert counts["yishe_relay_duplicate_events_total"] == 0, (process, counts)
