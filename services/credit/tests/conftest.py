from __future__ import annotations

import importlib.util
import sys
from contextlib import asynccontextmanager
from pathlib import Path

import pytest

from yishe_credit.config import Settings
from yishe_credit.main import create_app
from yishe_kit.testing import running_client

# Test modules import the factories by this name (tests run with --import-mode=importlib, no package path).
_spec = importlib.util.spec_from_file_location("credit_factories", Path(__file__).parent / "fixtures" / "factories.py")
_factories = importlib.util.module_from_spec(_spec)
sys.modules["credit_factories"] = _factories
_spec.loader.exec_module(_factories)


@pytest.fixture
def settings(migrated, nats_server) -> Settings:
    return Settings(db={"url": migrated("credit").fresh_url()}, nats={"url": nats_server.url})


@pytest.fixture
async def app(settings: Settings):
    return create_app(settings)


@pytest.fixture
async def client(app):
    async for c in running_client(app):
        yield c


@pytest.fixture
def custom(migrated, nats_server):
    """`async with custom(listing={"notice_days": 3}) as (app, client)`: an app with other rule settings."""

    @asynccontextmanager
    async def make(**overrides):
        s = Settings(db={"url": migrated("credit").fresh_url()}, nats={"url": nats_server.url}, **overrides)
        app = create_app(s)
        async for c in running_client(app):
            yield app, c

    return make
