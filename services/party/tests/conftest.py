from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

from yishe_kit.testing import running_client
from yishe_party.config import Settings
from yishe_party.main import create_app

# Test modules import the factories by this name (tests run with --import-mode=importlib, no package path).
_spec = importlib.util.spec_from_file_location("party_factories", Path(__file__).parent / "fixtures" / "factories.py")
_factories = importlib.util.module_from_spec(_spec)
sys.modules["party_factories"] = _factories
_spec.loader.exec_module(_factories)


@pytest.fixture
def settings(migrated, nats_server) -> Settings:
    # The relay runs as in production (the tests read party's outbox rows, which stay after they are published).
    return Settings(db={"url": migrated("party").fresh_url()}, nats={"url": nats_server.url})


@pytest.fixture
async def app(settings: Settings):
    return create_app(settings)


@pytest.fixture
async def client(app):
    async for c in running_client(app):
        yield c
