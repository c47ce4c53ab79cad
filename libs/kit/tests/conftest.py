from __future__ import annotations

import uuid

import pytest
from sqlalchemy import Column, String, Table

from yishe_kit.db import make_engine, make_sessionmaker, new_metadata
from yishe_kit.testing import _pg, create_pg_database, test_backend

# The kit has no migrations of its own: its tests build a throwaway schema (services never do this).
metadata = new_metadata()
Table("thing", metadata, Column("thing_id", String(36), primary_key=True), Column("name", String(100)))


@pytest.fixture
async def sessionmaker(tmp_path):
    if test_backend() == "postgres":
        name = f"yishe_test_kit_{uuid.uuid4().hex[:12]}"
        url = create_pg_database(name)
    else:
        name, url = None, f"sqlite+aiosqlite:///{tmp_path / 'kit.db'}"
    engine = make_engine(url)
    async with engine.begin() as conn:
        await conn.run_sync(metadata.create_all)
    yield make_sessionmaker(engine)
    await engine.dispose()
    if name:
        _pg([f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'])
