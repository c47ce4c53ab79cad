from __future__ import annotations

import importlib.util
import sys
from datetime import date
from pathlib import Path

import pytest

from yishe_kit.testing import running_client
from yishe_registry.config import Settings
from yishe_registry.main import create_app

# Test modules import the factories by this name (tests run with --import-mode=importlib, no package path).
_path = Path(__file__).parent / "fixtures" / "factories.py"
_spec = importlib.util.spec_from_file_location("registry_factories", _path)
_factories = importlib.util.module_from_spec(_spec)
sys.modules["registry_factories"] = _factories
_spec.loader.exec_module(_factories)


@pytest.fixture
def settings(migrated, nats_server) -> Settings:
    return Settings(db={"url": migrated("registry").fresh_url()}, nats={"url": nats_server.url})


@pytest.fixture
async def app(settings: Settings):
    return create_app(settings)


@pytest.fixture
async def client(app):
    async for c in running_client(app):
        yield c


@pytest.fixture
def clock(app):
    """`clock(date(2027, 6, 1))` moves the service's business day (the app's kit clock: requests, jobs, consumers)."""

    def set_today(day: date) -> date:
        app.state.clock.fixed = day
        return day

    set_today(date(2026, 11, 20))
    return set_today
