from __future__ import annotations

import pytest

from yishe_registry.config import Settings
from yishe_registry.main import create_app

from yishe_kit.testing import running_client


@pytest.fixture
def settings(migrated, nats_server) -> Settings:  # noqa: ANN001
    return Settings(db={"url": migrated("registry").fresh_url()}, nats={"url": nats_server.url})


@pytest.fixture
async def app(settings: Settings):
    return create_app(settings)


@pytest.fixture
async def client(app):  # noqa: ANN001
    async for c in running_client(app):
        yield c
