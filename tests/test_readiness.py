"""Readiness (issue 12): a service is ready while its database answers, even with NATS away (the outbox holds the
events); it is not ready when its database cannot be reached."""

from __future__ import annotations

import importlib

import pytest
from sqlalchemy.ext.asyncio import create_async_engine

from yishe_kit.db import make_sessionmaker
from yishe_kit.testing import free_port, running_client


@pytest.mark.parametrize("service", ["registry", "credit", "procurement", "party"])
async def test_ready_without_nats_and_not_ready_without_database(service, migrated, tmp_path) -> None:
    config = importlib.import_module(f"yishe_{service}.config")
    main = importlib.import_module(f"yishe_{service}.main")
    nowhere = f"nats://127.0.0.1:{free_port()}"
    settings = config.Settings(db={"url": migrated(service).fresh_url()}, nats={"url": nowhere},
                               relay={"enabled": False})
    app = main.create_app(settings)
    async for client in running_client(app):
        resp = await client.get("/health/ready")
        assert resp.status_code == 200 and resp.json()["checks"]["nats"] == "disconnected"
        # The database goes away (here: the service is pointed at a database file that cannot be opened).
        (tmp_path / "not-a-dir").write_text("")
        gone = create_async_engine(f"sqlite+aiosqlite:///{tmp_path}/not-a-dir/x.db")
        app.state.sessionmaker = make_sessionmaker(gone)
        resp = await client.get("/health/ready")
        assert resp.status_code == 503 and resp.json()["checks"]["database"].startswith("error")
        await gone.dispose()
