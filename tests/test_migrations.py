"""Each service's migrations, applied to an empty database, match its models (`alembic check` finds nothing)."""

from __future__ import annotations

import importlib

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from yishe_kit.db import make_engine
from yishe_kit.migrations import include_name_for

SERVICES = ["registry", "credit", "procurement", "party", "cultivation"]


@pytest.mark.parametrize("service", SERVICES)
async def test_migrations_match_models_when_upgraded_to_head(service: str, migrated) -> None:
    metadata = importlib.import_module(f"yishe_{service}.main").metadata
    engine = make_engine(migrated(service).fresh_url())
    opts = {"compare_type": True, "include_name": include_name_for(metadata)}  # as the services' env.py runs
    try:
        async with engine.connect() as conn:
            diff = await conn.run_sync(lambda sync: compare_metadata(MigrationContext.configure(sync, opts=opts),
                                                                     metadata))
    finally:
        await engine.dispose()
    assert diff == []


@pytest.mark.parametrize("service", SERVICES)
def test_tables_follow_the_naming_convention(service: str) -> None:
    metadata = importlib.import_module(f"yishe_{service}.main").metadata
    for table in metadata.tables.values():
        assert table.primary_key.name == f"pk_{table.name}"
