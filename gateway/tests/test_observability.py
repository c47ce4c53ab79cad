"""Operability (issue 15 item 2, OBS-1..3): `/metrics` on every process, one trace from the gateway's request
through the registry and its event to party's consumer, JSON access logs without personal data."""

from __future__ import annotations

import httpx
import pytest
import structlog
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from prometheus_client.parser import text_string_to_metric_families

from yishe_kit import tracing
from yishe_kit.assertion import HEADER
from yishe_kit.testing import eventually, mint_for

pytestmark = pytest.mark.nats

EXPORTER = InMemorySpanExporter()


@pytest.fixture(scope="module", autouse=True)
def _spans_in_memory():
    """The SDK's own test exporter on every service's tracer; stopped after this module (it then keeps nothing)."""
    tracing.add_span_processor(SimpleSpanProcessor(EXPORTER))
    yield
    EXPORTER.shutdown()


def samples(text: str, name: str) -> list:
    return [s for family in text_string_to_metric_families(text) for s in family.samples if s.name == name]


async def test_one_registration_is_one_trace_from_gateway_to_party_consumer_when_registering(stack, register):
    """OBS-2: the registry's HTTP span is a child of the gateway's (traceparent header); the event carries the
    registry's trace context (CloudEvents `traceparent`) and party's consumer span continues that trace."""
    EXPORTER.clear()
    uscc = await register(stack, "330381")

    def finished(name: str) -> list:
        return [s for s in EXPORTER.get_finished_spans() if s.name == name]

    gateway_span = next(s for s in finished("POST /api/{service}/{path}")
                        if s.resource.attributes["service.name"] == "yishe-gateway")
    registry_span = next(s for s in finished("POST /v1/organisations")
                         if s.resource.attributes["service.name"] == "yishe-registry")
    trace_id = gateway_span.context.trace_id
    assert registry_span.context.trace_id == trace_id
    assert registry_span.parent.span_id == gateway_span.context.span_id

    async def party_consumed() -> list:
        return [s for s in finished("registry.organisation.registered.v1 process")
                if s.resource.attributes["service.name"] == "yishe-party"
                and s.context.trace_id == trace_id]

    party_span = (await eventually(party_consumed, timeout=15))[0]
    assert party_span.parent.span_id == registry_span.context.span_id
    assert party_span.attributes["messaging.consumer.group.name"] == "party-registry-organisation-registered-v1"
    assert uscc  # the registration itself succeeded


async def test_metrics_are_served_by_every_process_with_route_templates_when_scraped(stack, register):
    """OBS-1: request count and latency per route template (never the raw path), consumer lag per durable, outbox
    backlog and dead letters, on the gateway and each of the four services."""
    uscc = await register(stack, "330382")
    resp = await stack.gateway.get(f"/api/registry/v1/organisations/{uscc}", headers=stack.staff)
    assert resp.status_code == 200
    gateway = await stack.gateway.get("/metrics")
    assert gateway.status_code == 200 and gateway.headers["content-type"].startswith("text/plain")
    routes = {s.labels["route"] for s in samples(gateway.text, "yishe_http_request_duration_seconds_count")}
    assert "/api/{service}/{path}" in routes
    assert uscc not in gateway.text
    async with httpx.AsyncClient() as http:
        registry = (await http.get(f"{stack.services['registry'].url}/metrics")).text
        counted = {(s.labels["route"], s.labels["status"]): s.value
                   for s in samples(registry, "yishe_http_request_duration_seconds_count")}
        assert counted[("/v1/organisations", "201")] >= 1
        assert counted[("/v1/organisations/{uscc}", "200")] >= 1
        assert uscc not in registry
        assert samples(registry, "yishe_outbox_unsent_rows")

        async def relayed() -> bool:  # the relay's counters: the registration's event went out, none repeated
            text = (await http.get(f"{stack.services['registry'].url}/metrics")).text
            published = samples(text, "yishe_relay_published_events_total")
            return bool(published) and published[0].value >= 1 and bool(
                samples(text, "yishe_relay_duplicate_events_total"))
        await eventually(relayed)
        for name in ("credit", "procurement", "party"):
            text = (await http.get(f"{stack.services[name].url}/metrics")).text
            durables = {s.labels["durable"] for s in samples(text, "yishe_consumer_pending_messages")}
            assert f"{name}-registry-organisation-registered-v1" in durables, name
            dlq = {s.labels["durable"] for s in samples(text, "yishe_dlq_messages")}
            assert f"{name}-registry-organisation-registered-v1" in dlq, name


async def test_access_log_names_route_role_status_and_no_personal_data_when_query_has_id_number(stack):
    """OBS-3: one JSON line per request with request id, role, status and duration; the query string (which may
    carry an ID number) and the raw path are not logged."""
    id_number = "11010519491231002X"
    with structlog.testing.capture_logs() as logs:
        resp = await stack.gateway.get("/api/registry/v1/search/organisations",
                                       params={"q": id_number}, headers=stack.staff)
        async with httpx.AsyncClient() as http:
            direct = await http.get(f"{stack.services['registry'].url}/v1/organisations/{id_number}",
                                    headers={HEADER: mint_for("registry", role="staff", actor="obs"),
                                             "x-request-id": "req-obs-3"})

        async def logged() -> list:  # uvicorn logs once the response has gone: wait for the line
            return [e for e in logs if e.get("event") == "request" and e.get("request_id") == "req-obs-3"]

        service = (await eventually(logged))[0]
    lines = [e for e in logs if e.get("event") == "request"]
    assert id_number not in repr(logs)
    gateway = next(e for e in lines if e["route"] == "/api/{service}/{path}")
    assert gateway["status"] == resp.status_code == 200 and gateway["role"] == "staff"
    assert gateway["request_id"] == resp.headers["x-request-id"] and gateway["duration_ms"] >= 0
    registry = next(e for e in lines if e["route"] == "/v1/search/organisations")
    assert registry["request_id"] == gateway["request_id"] and registry["role"] == "staff"
    assert service["route"] == "/v1/organisations/{uscc}" and service["status"] == direct.status_code
    assert {"method", "route", "status", "duration_ms", "request_id", "role"} <= set(service)
