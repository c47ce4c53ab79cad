"""OBS-2 without an exporter: the kit then records no spans (no-op tracer), but a caller's W3C `traceparent` still
travels from the HTTP request into the event's CloudEvents tracing extension."""

from __future__ import annotations

from registry_factories import STAFF, direct
from sqlalchemy import select

from yishe_contracts.envelope import Envelope
from yishe_kit import tracing
from yishe_kit.testing import running_client
from yishe_registry.main import create_app

TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736"
TRACEPARENT = f"00-{TRACE_ID}-00f067aa0ba902b7-01"


async def test_callers_traceparent_reaches_the_event_when_no_exporter_is_configured(settings, monkeypatch) -> None:
    """OBS-2: propagation only (the default): the outbox row's envelope carries the caller's trace id."""
    monkeypatch.setattr(tracing, "_extra_processors", [])
    assert settings.telemetry.otlp_endpoint == ""
    app = create_app(settings)
    body = direct("温州市鹿城区溯源公益服务协会")
    async for client in running_client(app):
        resp = await client.post("/v1/organisations", json=body, headers={**STAFF, "traceparent": TRACEPARENT})
        assert resp.status_code == 201, resp.text
        outbox = app.state.outbox.table
        async with app.state.sessionmaker() as session:
            payload = await session.scalar(select(outbox.c.payload).where(
                outbox.c.subject == "registry.organisation.registered.v1"))
    envelope = Envelope.model_validate_json(payload)
    assert envelope.traceparent is not None and envelope.traceparent.split("-")[1] == TRACE_ID
