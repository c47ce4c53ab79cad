from __future__ import annotations

import pytest

from yishe_credit.config import Settings
from yishe_credit.main import create_app
from yishe_kit.testing import running_client


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
