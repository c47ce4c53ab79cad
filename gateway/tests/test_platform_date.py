"""The platform date (issue 13): set at the gateway in dev, kept in one NATS KV key, followed by every process's
clock; refused outside dev. Real NATS, a real procurement service on its own port with its own clock."""

from __future__ import annotations

import asyncio
import importlib
import time
from datetime import date

from yishe_gateway.config import Upstreams
from yishe_kit.clock import Clock, business_date, default_clock
from yishe_kit.testing import free_port

REAL = {"signing_key": "a-real-secret-of-at-least-32-chars", "jwt": {"secret": "another-real-secret-32-characters"},
        "client_key_secret": "a-third-real-secret-with-32-chars",
        "audit": {"hmac_key": "a-fourth-real-secret-with-32-chars"}}


def _procurement(db_url: str, nats_url: str, *, follows: bool = True):
    """A procurement app with its OWN clock (not the process clock the gateway follows in this test process), so
    only the KV key can move it."""
    config = importlib.import_module("yishe_procurement.config")
    main = importlib.import_module("yishe_procurement.main")
    app = main.create_app(config.Settings(db={"url": db_url}, nats={"url": nats_url}, platform_date_enabled=follows))
    app.state.clock = Clock()
    return app


async def _true(condition: bool) -> bool | None:
    return True if condition else None


async def _until(check, timeout: float = 15.0):
    deadline = time.monotonic() + timeout
    while True:
        value = await check()
        if value is not None:
            return value
        if time.monotonic() > deadline:
            raise AssertionError("not reached before the deadline")
        await asyncio.sleep(0.05)


async def test_service_daily_job_follows_platform_date_when_set_at_gateway(migrated, nats_server, make_settings,
                                                                           auth, servers) -> None:
    """A date PUT at the gateway reaches procurement's clock through NATS KV: its daily job (as_of = today) runs on
    that day; DELETE goes back to the real date; a service started later reads the date at start-up."""
    real = business_date(default_clock().real_now())
    running = await servers.serve(_procurement(migrated("procurement").fresh_url(), nats_server.url))
    later = None
    try:
        settings = make_settings(events_enabled=True, nats={"url": nats_server.url},
                                 upstreams=Upstreams(procurement=running.url), upstream_timeout_seconds=5.0)
        async with servers.gateway(settings) as (app, client):
            staff = auth.bearer(await auth.token(app, "staff"))
            assert (await client.get("/v1/platform/date")).json()["platform_date"] is None

            put = await client.put("/v1/platform/date", json={"date": "2031-03-15"}, headers=staff)
            assert put.status_code == 200, put.text
            assert put.json() == {"enabled": True, "platform_date": "2031-03-15", "chosen_on": real.isoformat(),
                                  "today": "2031-03-15", "real_date": real.isoformat()}

            async def daily_as_of(expected: str):
                resp = await client.post("/api/procurement/v1/jobs/daily?wait=true", headers=staff)
                assert resp.status_code == 200, resp.text
                return resp.json() if resp.json()["as_of"] == expected else None

            assert (await _until(lambda: daily_as_of("2031-03-15")))["tenders_closed"] == []
            assert (await client.get("/v1/platform/date")).json()["platform_date"] == "2031-03-15"
            await _until(lambda: _true(default_clock().today() == date(2031, 3, 15)))  # the gateway's own clock

            later_app = _procurement(migrated("procurement").fresh_url(), nats_server.url)
            later = await servers.serve(later_app)
            await asyncio.wait_for(later_app.state.platform_date.applied.wait(), 15)
            assert later_app.state.clock.today() == date(2031, 3, 15)

            gone = await client.delete("/v1/platform/date", headers=staff)
            assert gone.status_code == 200 and gone.json()["platform_date"] is None
            await _until(lambda: daily_as_of(real.isoformat()))
    finally:
        for r in (running, later):
            if r is not None:
                await r.stop()


async def test_service_ignores_platform_date_when_not_enabled(migrated, nats_server, servers) -> None:
    """Production services (no YISHE_PLATFORM_DATE_ENABLED, or env≠dev) never follow the key, whatever it holds."""
    config = importlib.import_module("yishe_procurement.config")
    main = importlib.import_module("yishe_procurement.main")
    prod = config.Settings(db={"url": migrated("procurement").fresh_url()}, nats={"url": nats_server.url},
                           platform_date_enabled=True, env="prod")
    assert not prod.follows_platform_date
    app = main.create_app(prod)
    running = await servers.serve(app)
    try:
        assert app.state.platform_date is None
    finally:
        await running.stop()


async def test_setting_platform_date_refused_when_gateway_not_dev(make_settings, nats_server, auth, servers) -> None:
    """Outside GATEWAY_ENV=dev: PUT/DELETE answer 403 platform_date_disabled; GET says it is disabled."""
    settings = make_settings(env="prod", events_enabled=True, nats={"url": nats_server.url}, **REAL)
    async with servers.gateway(settings) as (app, client):
        staff = auth.bearer(await auth.token(app, "staff"))
        put = await client.put("/v1/platform/date", json={"date": "2031-03-15"}, headers=staff)
        assert put.status_code == 403 and put.json()["code"] == "platform_date_disabled"
        assert (await client.delete("/v1/platform/date", headers=staff)).status_code == 403
        assert (await client.get("/v1/platform/date")).json()["enabled"] is False


async def test_setting_platform_date_needs_staff_or_internal(make_settings, nats_server, auth, servers) -> None:
    """Anonymous: 401; a supervisory unit: 403 role_forbidden; a malformed date: 422 naming the field."""
    settings = make_settings(events_enabled=True, nats={"url": nats_server.url},
                             upstreams=Upstreams(procurement=f"http://127.0.0.1:{free_port()}"))
    async with servers.gateway(settings) as (app, client):
        assert (await client.put("/v1/platform/date", json={"date": "2031-03-15"})).status_code == 401
        supervisor = auth.bearer(await auth.token(app, "supervisor"))
        refused = await client.put("/v1/platform/date", json={"date": "2031-03-15"}, headers=supervisor)
        assert refused.status_code == 403 and refused.json()["code"] == "role_forbidden"
        staff = auth.bearer(await auth.token(app, "staff"))
        bad = await client.put("/v1/platform/date", json={"date": "2031-02-30"}, headers=staff)
        assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "date"
