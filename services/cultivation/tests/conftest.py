from __future__ import annotations

import importlib.util
import sys
from datetime import date
from pathlib import Path

import pytest

from yishe_cultivation.config import Settings
from yishe_cultivation.main import create_app
from yishe_kit.clock import Clock
from yishe_kit.testing import running_client

# Test modules import the factories by this name (tests run with --import-mode=importlib, no package path).
_spec = importlib.util.spec_from_file_location("cultivation_factories",
                                               Path(__file__).parent / "fixtures" / "factories.py")
_factories = importlib.util.module_from_spec(_spec)
sys.modules["cultivation_factories"] = _factories
_spec.loader.exec_module(_factories)

TODAY = date(2026, 11, 20)


@pytest.fixture
def settings(migrated, nats_server) -> Settings:
    return Settings(db={"url": migrated("cultivation").fresh_url()}, nats={"url": nats_server.url})


@pytest.fixture
async def app(settings: Settings):
    app = create_app(settings)
    app.state.clock = Clock(fixed=TODAY)
    return app


@pytest.fixture
async def client(app):
    async for c in running_client(app):
        yield c
