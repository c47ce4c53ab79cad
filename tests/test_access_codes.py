"""One set of access error codes in every service (AUTH-1): a role that may not act is refused `role_forbidden`."""

from __future__ import annotations

import importlib

import pytest

from yishe_kit.testing import running_client

SERVICES = ["registry", "credit", "procurement", "party"]


@pytest.mark.parametrize("service", SERVICES)
async def test_daily_job_refused_with_role_forbidden_when_caller_is_an_organisation(service, migrated,
                                                                                     nats_server) -> None:
    """AUTH-1: the same code (`role_forbidden`, rule AUTH-1) from every service; was `forbidden_role` in party and
    `role_not_allowed` in credit and procurement."""
    config = importlib.import_module(f"yishe_{service}.config")
    main = importlib.import_module(f"yishe_{service}.main")
    settings = config.Settings(db={"url": migrated(service).fresh_url()}, nats={"url": nats_server.url})
    async for client in running_client(main.create_app(settings)):
        resp = await client.post("/v1/jobs/daily?wait=true", headers={"x-yishe-role": "org", "x-yishe-actor": "x"})
        assert resp.status_code == 403
        body = resp.json()
        assert body["code"] == "role_forbidden"
        assert body["errors"][0]["rule"] == "AUTH-1"
