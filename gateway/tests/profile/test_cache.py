"""CACHE-1/2 and resilience: held profiles cost no fan-out; events refresh them; per-upstream timeouts, a circuit
breaker and degraded answers that name the missing sources."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import pytest

from yishe_contracts.envelope import Envelope
from yishe_contracts.events.credit import ColourChanged
from yishe_kit.testing import asserted, eventually, publish_envelope

from ..conftest import bearer, user_token


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
    assert calls == {"registry": 1, "credit": 1, "party": 1, "procurement": 1, "cultivation": 1}
    for _ in range(5):
        assert await _get(client, uscc) == first
    assert fake.calls == calls and app.state.cache.stats()["hits"] == 5


async def test_gateway_asks_services_as_internal_with_request_id(gw, fake, make_uscc) -> None:
    _, client = gw
    uscc = make_uscc()
    fake.add(uscc)
    await client.get(f"/v1/code/{uscc}", headers={"X-Request-ID": "scan-42", "X-Yishe-Role": "public"})
    claims = [asserted(h) for h in fake.seen_headers]
    assert {(c["role"], c["actor"]) for c in claims} == {("internal", "gateway")}
    # one assertion per lookup, addressed to the five services
    assert {tuple(c["aud"]) for c in claims} == {("registry", "credit", "party", "procurement", "cultivation")}
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

    await eventually(orange, timeout=15)
    assert app.state.invalidation.events >= 1


@pytest.mark.nats
async def test_a_bulk_credit_event_refreshes_each_held_profile_it_carries(start_gateway, fake, make_uscc,
                                                                         publish) -> None:
    """Issue 11 / CACHE-2: credit's profiles opened in bulk (`credit.profiles.opened.v1`) refresh each held profile
    among their items, as the single events would."""
    from yishe_contracts.events.credit import CreditProfileOpened, CreditProfilesOpened

    app, client = await start_gateway(events_enabled=True, cache={"settle_seconds": 0})
    await eventually(lambda: _ready(app))
    usccs = [make_uscc() for _ in range(3)]
    for uscc in usccs:
        fake.add(uscc)
        assert (await _get(client, uscc))["credit"]["colour"] == "green"
        fake.bodies["credit"][uscc] |= {"colour": "yellow", "colour_reason": "新成立"}
    await publish(CreditProfilesOpened(profiles=[
        CreditProfileOpened(uscc=u, name="x", colour="yellow", colour_rule="CODE-3", colour_reason="新成立",
                            opened_at=datetime.now(UTC)) for u in usccs[:2]]))

    async def refreshed() -> bool:
        return [(await _get(client, u))["credit"]["colour"] for u in usccs[:2]] == ["yellow", "yellow"]

    await eventually(refreshed, timeout=15)
    assert (await _get(client, usccs[2]))["credit"]["colour"] == "green"  # not in the bulk event: still held


@pytest.mark.nats
async def test_every_gateway_replica_refreshes_the_profile_it_holds(start_gateway, fake, make_uscc,
                                                                    nats_server) -> None:
    """CACHE-2 with two replicas on one NATS and one store: each holds the profile, and one event refreshes it in
    both (a shared durable would hand the event to one replica only, leaving the other's copy stale)."""
    replicas = [await start_gateway(events_enabled=True, cache={"settle_seconds": 0}) for _ in range(2)]
    for app, _ in replicas:
        await eventually(lambda app=app: _ready(app))
    uscc = make_uscc()
    fake.add(uscc)
    for _, client in replicas:
        assert (await _get(client, uscc))["credit"]["colour"] == "green"
    fake.bodies["credit"][uscc] |= {"colour": "red", "colour_reason": "列入严重违法失信名单"}
    event = ColourChanged(uscc=uscc, from_colour="green", to_colour="red", rule="CODE-3",
                          reason="列入严重违法失信名单", changed_at=datetime.now(UTC))
    await publish_envelope(nats_server.url, Envelope.wrap(event, source="credit"))
    for _, client in replicas:
        async def red(client=client) -> bool:
            return (await _get(client, uscc))["credit"]["colour"] == "red"

        await eventually(red, timeout=15)


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

    await eventually(held, timeout=15)
    assert fake.calls["registry"] == 1
    assert (await _get(client, uscc))["organisation"]["uscc"] == uscc
    assert fake.calls["registry"] == 1  # the first lookup was already a hit


@pytest.mark.nats
async def test_imported_registrations_are_not_warmed_when_a_bulk_import_flows(start_gateway, fake, make_uscc,
                                                                              publish, registered) -> None:
    """Issue 11 (no rebuild storm) / CACHE-2: a legacy organisation from a bulk import is not loaded ahead of its
    first lookup (a city at once would be a fan-out per organisation); a live registration still is."""
    app, client = await start_gateway(events_enabled=True, cache={"settle_seconds": 0})
    await eventually(lambda: _ready(app))
    imported, live = make_uscc(), make_uscc()
    fake.add(imported)
    fake.add(live)
    await publish(registered(imported).model_copy(update={"source": "import"}))
    await publish(registered(live))

    async def held() -> bool:
        return app.state.cache.fresh(live) is not None

    await eventually(held, timeout=15)  # events arrive in order: the imported one was heard first
    assert app.state.cache.fresh(imported) is None and fake.calls["registry"] == 1
    assert (await _get(client, imported))["organisation"]["uscc"] == imported  # its first lookup loads it


@pytest.mark.nats
async def test_a_new_registration_is_warmed_only_once_the_other_services_have_had_their_settle_time(
        start_gateway, fake, make_uscc, publish, registered) -> None:
    """Issue 11 (the single event path) / CACHE-2: at a registration's own moment every service is handling it, so the
    gateway's warm-up waits `settle_seconds` instead of fanning out at once (then the services are busy and their read
    models not yet built); it loads once, and the follow-on events heard meanwhile cost no fan-out of their own."""
    app, _ = await start_gateway(events_enabled=True, cache={"settle_seconds": 4})
    await eventually(lambda: _ready(app))
    uscc = make_uscc()
    fake.add(uscc)
    await publish(registered(uscc))
    event = ColourChanged(uscc=uscc, from_colour="green", to_colour="green", rule="CODE-3", reason="信用档案建立",
                          changed_at=datetime.now(UTC))
    await publish_envelope(app.state.settings.nats.url, Envelope.wrap(event, source="credit"))

    async def heard() -> bool:
        return app.state.invalidation.events >= 2

    await eventually(heard, timeout=15)
    assert fake.calls.get("registry", 0) == 0  # nothing loaded at the registration's moment, nor for the follow-on

    async def held() -> bool:
        return app.state.cache.fresh(uscc) is not None

    await eventually(held, timeout=20)
    assert fake.calls["registry"] == 1 and app.state.cache.stats()["hits"] == 0


@pytest.mark.nats
async def test_a_new_registration_waits_to_be_warmed_while_events_keep_coming(start_gateway, fake, make_uscc, publish,
                                                                              registered) -> None:
    """Issue 11 item 6 / CACHE-2: the load ahead of a new code's first scan is a prefetch nobody waits on, so it waits
    for a quiet moment (no event heard for `settle_seconds`): while registrations follow one another it would take the
    cores the next one's Party record waits for. It loads once the events stop."""
    app, _ = await start_gateway(events_enabled=True, cache={"settle_seconds": 2.0, "warm_max_wait_seconds": 120})
    await eventually(lambda: _ready(app))
    uscc, other = make_uscc(), make_uscc()
    fake.add(uscc)
    await publish(registered(uscc))
    for _ in range(16):  # ~4 s of events about another organisation (not held), each well inside the 2 s quiet
        await publish(ColourChanged(uscc=other, from_colour="green", to_colour="green", rule="CODE-3", reason="复核",
                                    changed_at=datetime.now(UTC)), source="credit")
        await asyncio.sleep(0.25)

    async def heard() -> bool:
        return app.state.invalidation.events >= 17

    await eventually(heard, timeout=15)
    assert fake.calls.get("registry", 0) == 0  # the quiet never came while they flowed

    async def held() -> bool:
        return app.state.cache.fresh(uscc) is not None

    await eventually(held, timeout=20)
    assert fake.calls["registry"] == 1


@pytest.mark.nats
async def test_a_waiting_warm_up_loads_after_its_longest_wait_and_the_queue_is_bounded(
        start_gateway, fake, make_uscc, publish, registered) -> None:
    """Issue 11 / CACHE-2: on a platform never quiet a new registration is still loaded ahead, once it has waited
    `warm_max_wait_seconds`; beyond `warm_pending_max` waiting, a registration is left to its first lookup."""
    app, client = await start_gateway(events_enabled=True, cache={
        "settle_seconds": 600, "warm_max_wait_seconds": 1.0, "warm_pending_max": 1})
    await eventually(lambda: _ready(app))
    first, second = make_uscc(), make_uscc()
    fake.add(first)
    fake.add(second)
    await publish(registered(first))
    await publish(registered(second))

    async def held() -> bool:
        return app.state.cache.fresh(first) is not None

    await eventually(held, timeout=20)  # the 600 s quiet never came
    assert app.state.cache.stats()["skipped"] == 1 and app.state.cache.fresh(second) is None
    assert fake.calls["registry"] == 1
    assert (await _get(client, second))["organisation"]["uscc"] == second  # its first lookup loads it


@pytest.mark.nats
async def test_a_bulk_import_event_warms_none_and_refreshes_what_is_held(start_gateway, fake, make_uscc, publish,
                                                                        registered) -> None:
    """Issue 11 / CACHE-2: a bulk import event (`registry.organisations.imported.v1`) loads none of its
    organisations ahead, and a profile held for one of them is refreshed as any event about it does."""
    from yishe_contracts.events.registry import OrganisationsImported

    app, client = await start_gateway(events_enabled=True, cache={"settle_seconds": 0})
    await eventually(lambda: _ready(app))
    held_one, new_one, live = make_uscc(), make_uscc(), make_uscc()
    for uscc in (held_one, new_one, live):
        fake.add(uscc)
    assert (await _get(client, held_one))["credit"]["colour"] == "green"
    calls = fake.calls["registry"]
    fake.bodies["credit"][held_one] |= {"colour": "orange", "colour_reason": "列入活动异常名录"}
    await publish(OrganisationsImported(batch_id=1, organisations=[
        registered(u).model_copy(update={"source": "import"}) for u in (held_one, new_one)]))
    await publish(registered(live))

    async def held() -> bool:
        return app.state.cache.fresh(live) is not None

    await eventually(held, timeout=15)  # events arrive in order: the bulk one was heard first

    async def orange() -> bool:  # the held one re-read (CACHE-2 refreshes a held profile at once)
        return (await _get(client, held_one))["credit"]["colour"] == "orange"

    await eventually(orange, timeout=15)
    assert app.state.cache.fresh(new_one) is None  # not warmed
    assert fake.calls["registry"] == calls + 2  # the held one's refresh and the live registration's load


@pytest.mark.nats
async def test_background_loads_are_bounded_when_registrations_arrive_in_a_burst(start_gateway, fake, make_uscc,
                                                                                 publish, registered) -> None:
    """Issue 11 (no rebuild storm): at most `background_loads` warm-ups load at once; the others are left to their
    first lookup, which loads them as for any organisation not held."""
    app, client = await start_gateway(events_enabled=True, cache={"settle_seconds": 0, "background_loads": 2})
    await eventually(lambda: _ready(app))
    fake.slow["registry"] = 2.0  # longer than the burst takes to arrive, even on a loaded machine
    usccs = [make_uscc() for _ in range(8)]
    for uscc in usccs:
        fake.add(uscc)
        await publish(registered(uscc))

    async def all_heard() -> bool:
        return app.state.invalidation.events >= len(usccs)

    await eventually(all_heard, timeout=15)
    # The bound is on loads at once, not in total: a warm-up that finished frees its place for a later event.
    assert app.state.cache.stats()["skipped"] >= 1 and 1 <= fake.peak["registry"] <= 2
    fake.slow["registry"] = 0
    for uscc in usccs:
        assert (await _get(client, uscc))["organisation"]["uscc"] == uscc


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

    await eventually(caught_up, timeout=15)


async def test_slow_source_named_missing_within_its_timeout(start_gateway, fake, make_uscc) -> None:
    _, client = await start_gateway(upstream_timeouts={"party": 0.2}, upstream_timeout_seconds=5.0)
    uscc = make_uscc()
    fake.add(uscc)
    fake.slow["party"] = 2.0
    staff_view = await client.get(f"/v1/code/{uscc}", params={"view": "public"})
    profile = staff_view.json()
    assert profile["missing_sources"] == ["party"] and profile["credit"]["colour"] == "green"


async def test_breaker_stops_calling_failing_source_then_tries_again(start_gateway, fake, make_uscc) -> None:
    # A cooldown no loaded machine outlasts between five lookups (0.3 s did: a third call, a flaky failure); the
    # cooldown's end is then brought forward on the breaker itself rather than waited for.
    app, client = await start_gateway(breaker={"failures": 2, "cooldown_seconds": 60}, cache={"max_entries": 0})
    uscc = make_uscc()
    fake.add(uscc)
    fake.failing.add("credit")
    for _ in range(5):
        assert (await _get(client, uscc))["missing_sources"] == ["credit"]
    assert fake.calls["credit"] == 2 and app.state.breakers["credit"].state == "open"
    fake.failing.clear()
    assert (await _get(client, uscc))["missing_sources"] == ["credit"] and fake.calls["credit"] == 2  # still open
    app.state.breakers["credit"].opened_at -= 60

    async def closed() -> bool:
        return (await _get(client, uscc))["missing_sources"] == []

    await eventually(closed, timeout=15)
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


async def test_held_profiles_stay_within_the_byte_bound_the_oldest_going_first(start_gateway, fake,
                                                                               make_uscc) -> None:
    """CACHE-1, issue 17 (memory ≤ 200 MB per service): held profiles are bounded in bytes as well as in number.
    10,000 held as dicts grew the gateway to 295 MB; they are held as their JSON now, and the oldest go once
    `max_bytes` is reached, whatever `max_entries` allows."""
    usccs = [make_uscc() for _ in range(24)]
    for uscc in usccs:
        fake.add(uscc)
    app, client = await start_gateway(cache={"max_entries": 1_000, "max_bytes": 0})
    await _get(client, usccs[0])
    one = app.state.cache.stats()["bytes"]
    assert one > 1_000  # the JSON and the public view of one profile
    await client.aclose()

    app, client = await start_gateway(cache={"max_entries": 1_000, "max_bytes": 8 * one})
    cache = app.state.cache
    answers = {uscc: await _get(client, uscc) for uscc in usccs}
    stats = cache.stats()
    assert 6 <= stats["entries"] <= 8 and stats["bytes"] <= 8 * one
    assert stats["bytes"] == sum(e.size for e in cache._entries.values())  # the running count is the real one
    calls = fake.calls["registry"]
    assert await _get(client, usccs[-1]) == answers[usccs[-1]]  # the newest is held: no fan-out
    assert fake.calls["registry"] == calls
    again = await _get(client, usccs[0])  # the oldest went: fanned out again, the same profile
    assert fake.calls["registry"] == calls + 1
    assert {**again, "as_of": None} == {**answers[usccs[0]], "as_of": None}
    # A staff view rendered later counts too, and the bound still holds.
    before = cache.stats()["bytes"]
    token = await user_token(app, "staff", division="33")
    staff = await client.get(f"/v1/code/{usccs[-1]}", headers=bearer(token))
    assert staff.status_code == 200 and fake.calls["registry"] == calls + 1
    assert cache.stats()["bytes"] > before or cache.stats()["entries"] < stats["entries"]
    assert cache.stats()["bytes"] <= 8 * one
    assert cache.stats()["bytes"] == sum(e.size for e in cache._entries.values())


async def test_an_anonymous_lookup_renders_its_view_from_the_merged_profile(gw, fake, make_uscc, monkeypatch) -> None:
    """Issue 17, CODE-4: a load started by the public lane renders the public view from the profile the fan-out
    merged, not by decoding the entry's JSON back (py-spy: ~4.5 % of a cold lookup's gateway CPU); the same bytes
    either way, and the view counted in the cache's bytes."""
    import orjson

    from yishe_gateway.disclosure.policy import disclose
    from yishe_gateway.profile.cache import Entry

    decoded = []
    plain = Entry.profile.fget
    monkeypatch.setattr(Entry, "profile", property(lambda self: decoded.append(1) or plain(self)))
    app, client = gw
    uscc = make_uscc()
    fake.add(uscc)
    first = await _get(client, uscc)
    assert decoded == []  # rendered from the merged dict: nothing decoded
    entry = app.state.cache._entries[uscc]
    assert entry.rendered[("public", "public")] == orjson.dumps(disclose(entry.profile, "public", "public"))[:-1]
    assert first["view"] == "public" and await _get(client, uscc) == first
    assert app.state.cache.stats()["bytes"] == entry.size
    token = await user_token(app, "staff", division="33")  # another view of a held profile: decoded once, then kept
    decoded.clear()
    for _ in range(2):
        assert (await client.get(f"/v1/code/{uscc}", headers=bearer(token))).status_code == 200
    assert decoded == [1]
