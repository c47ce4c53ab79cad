"""CACHE-1/2 and resilience: held profiles cost no fan-out; events refresh them; per-upstream timeouts, a circuit
breaker and degraded answers that name the missing sources."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import pytest

from yishe_contracts.envelope import Envelope
from yishe_contracts.events.credit import ColourChanged
from yishe_kit.testing import eventually, publish_envelope


async def _get(client, uscc: str, **headers: str) -> dict:
    resp = await client.get(f"/v1/code/{uscc}", headers=headers)
    assert resp.status_code == 200, resp.text
    return resp.json()


async def test_second_lookup_served_without_fan_out_when_profile_held(gw, fake, make_uscc) -> None:
    app, client = gw
    uscc = make_uscc()
    fake.add(uscc)
    first = await _get(client, uscc)
    calls = dict(fake.calls)
    assert calls == {"registry": 1, "credit": 1, "party": 1, "procurement": 1}
    for _ in range(5):
        assert await _get(client, uscc) == first
    assert fake.calls == calls and app.state.cache.stats()["hits"] == 5


async def test_gateway_asks_services_as_internal_with_request_id(gw, fake, make_uscc) -> None:
    _, client = gw
    uscc = make_uscc()
    fake.add(uscc)
    await client.get(f"/v1/code/{uscc}", headers={"X-Request-ID": "scan-42", "X-Yishe-Role": "public"})
    assert {h["x-yishe-role"] for h in fake.seen_headers} == {"internal"}
    assert {h["x-request-id"] for h in fake.seen_headers} == {"scan-42"}
    assert {h["x-correlation-id"] for h in fake.seen_headers} == {"scan-42"}


async def test_concurrent_misses_share_one_fan_out(gw, fake, make_uscc) -> None:
    _, client = gw
    uscc = make_uscc()
    fake.add(uscc)
    fake.slow["registry"] = 0.2
    answers = await asyncio.gather(*[_get(client, uscc) for _ in range(20)])
    assert len({a["organisation"]["name"] for a in answers}) == 1
    assert fake.calls["registry"] == 1


@pytest.mark.nats
async def test_event_refreshes_held_profile_when_colour_changes(start_gateway, fake, make_uscc, nats_server) -> None:
    app, client = await start_gateway(events_enabled=True, cache={"settle_seconds": 0})
    await eventually(lambda: _ready(app))
    uscc = make_uscc()
    fake.add(uscc)
    assert (await _get(client, uscc))["credit"]["colour"] == "green"
    fake.bodies["credit"][uscc] |= {"colour": "orange", "colour_reason": "列入活动异常名录：未按规定报送年度工作报告"}
    assert (await _get(client, uscc))["credit"]["colour"] == "green"  # held: nothing told the gateway yet
    event = ColourChanged(uscc=uscc, from_colour="green", to_colour="orange", rule="CODE-3",
                          reason="列入活动异常名录：未按规定报送年度工作报告", changed_at=datetime.now(UTC))
    await publish_envelope(nats_server.url, Envelope.wrap(event, source="credit"))

    async def orange() -> bool:
        return (await _get(client, uscc))["credit"]["colour"] == "orange"

    await eventually(orange, timeout=5)
    assert app.state.invalidation.events >= 1


@pytest.mark.nats
async def test_registration_event_loads_profile_before_first_lookup(start_gateway, fake, make_uscc, publish,
                                                                   registered) -> None:
    app, client = await start_gateway(events_enabled=True, cache={"settle_seconds": 0})
    await eventually(lambda: _ready(app))
    uscc = make_uscc()
    fake.add(uscc)
    await publish(registered(uscc))

    async def held() -> bool:
        return app.state.cache.fresh(uscc) is not None

    await eventually(held, timeout=5)
    assert fake.calls["registry"] == 1
    assert (await _get(client, uscc))["organisation"]["uscc"] == uscc
    assert fake.calls["registry"] == 1  # the first lookup was already a hit


async def _ready(app) -> bool:
    return app.state.invalidation.listening.is_set()


async def test_incomplete_profile_read_again_when_its_short_ttl_passed(start_gateway, fake, make_uscc) -> None:
    _, client = await start_gateway(cache={"incomplete_ttl_seconds": 0.05})
    uscc = make_uscc()
    bodies = fake.add(uscc)
    del fake.bodies["procurement"][uscc]  # procurement's read model has not caught up yet: pending
    assert (await _get(client, uscc))["pending_sources"] == ["procurement"]
    fake.bodies["procurement"][uscc] = bodies["procurement"]

    async def caught_up() -> bool:
        return (await _get(client, uscc))["pending_sources"] == []

    await eventually(caught_up, timeout=5)


async def test_slow_source_named_missing_within_its_timeout(start_gateway, fake, make_uscc) -> None:
    _, client = await start_gateway(upstream_timeouts={"party": 0.2}, upstream_timeout_seconds=5.0)
    uscc = make_uscc()
    fake.add(uscc)
    fake.slow["party"] = 2.0
    staff_view = await client.get(f"/v1/code/{uscc}", params={"view": "public"})
    profile = staff_view.json()
    assert profile["missing_sources"] == ["party"] and profile["credit"]["colour"] == "green"


async def test_breaker_stops_calling_failing_source_then_tries_again(start_gateway, fake, make_uscc) -> None:
    app, client = await start_gateway(breaker={"failures": 2, "cooldown_seconds": 0.3}, cache={"max_entries": 0})
    uscc = make_uscc()
    fake.add(uscc)
    fake.failing.add("credit")
    for _ in range(5):
        assert (await _get(client, uscc))["missing_sources"] == ["credit"]
    assert fake.calls["credit"] == 2 and app.state.breakers["credit"].state == "open"
    fake.failing.clear()

    async def closed() -> bool:
        return (await _get(client, uscc))["missing_sources"] == []

    await eventually(closed, timeout=5)
    assert fake.calls["credit"] == 3 and app.state.breakers["credit"].state == "closed"


async def test_every_lookup_fans_out_when_cache_disabled(start_gateway, fake, make_uscc) -> None:
    _, client = await start_gateway(cache={"max_entries": 0})
    uscc = make_uscc()
    fake.add(uscc)
    for _ in range(3):
        await _get(client, uscc)
    assert fake.calls["registry"] == 3


async def test_profile_503_naming_registry_when_registry_fails_and_nothing_held(gw, fake, make_uscc) -> None:
    _, client = gw
    uscc = make_uscc()
    fake.add(uscc)
    fake.failing.add("registry")
    resp = await client.get(f"/v1/code/{uscc}")
    assert resp.status_code == 503 and "registry" in resp.json()["detail"]
