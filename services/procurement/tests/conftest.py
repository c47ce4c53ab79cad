from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

from yishe_kit.testing import running_client
from yishe_procurement.config import Settings
from yishe_procurement.main import create_app


def _fixtures_package() -> None:
    """tests/fixtures is imported as `procurement_fixtures` (pytest runs in importlib mode; the name is unique so
    other members' tests/fixtures never collide with it)."""
    folder = Path(__file__).parent / "fixtures"
    spec = importlib.util.spec_from_file_location("procurement_fixtures", folder / "__init__.py",
                                                  submodule_search_locations=[str(folder)])
    module = importlib.util.module_from_spec(spec)
    sys.modules["procurement_fixtures"] = module
    spec.loader.exec_module(module)


_fixtures_package()

from procurement_fixtures.ocds import ocds  # noqa: E402, F401 - the session fixture with the official schemas


@pytest.fixture
def settings(migrated, nats_server) -> Settings:
    return Settings(db={"url": migrated("procurement").fresh_url()}, nats={"url": nats_server.url})


@pytest.fixture
async def app(settings: Settings):
    return create_app(settings)


@pytest.fixture
async def client(app):
    async for c in running_client(app):
        yield c


@pytest.fixture
def clock(app):
    """The business clock of the app under test; set `clock.fixed` to move to a day."""
    return app.state.clock
