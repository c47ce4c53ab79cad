from __future__ import annotations

import pytest

from yishe_kit.testing import running_client
from yishe_registry.config import Settings
from yishe_registry.main import create_app


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
