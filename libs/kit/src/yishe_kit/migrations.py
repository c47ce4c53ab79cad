"""Alembic `env.py` body shared by every service: async engine, the service's metadata, its URL from settings."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping

from alembic import context
from sqlalchemy import MetaData
from sqlalchemy.engine import Connection

from .db import make_engine


def include_name_for(metadata: MetaData) -> Callable[..., bool]:
    """Alembic `include_name`: skip the tables listed in `metadata.info["virtual_tables"]` and their shadow tables
    (SQLite FTS5 `<name>_data`, `_idx`, `_content`, `_docsize`, `_config`): migrations create them, models cannot."""
    virtual = tuple(metadata.info.get("virtual_tables", ()))

    def include_name(name: str | None, type_: str, parent_names: Mapping[str, str | None]) -> bool:
        if type_ != "table" or name is None:
            return True
        return not any(name == v or name.startswith(f"{v}_") for v in virtual)

    return include_name


def run(metadata: MetaData, url: str) -> None:
    def _configure(connection: Connection | None = None) -> None:
        context.configure(
            connection=connection,
            url=None if connection is not None else url,
            target_metadata=metadata,
            compare_type=True,
            render_as_batch=url.startswith("sqlite"),
            include_name=include_name_for(metadata),
        )

    if context.is_offline_mode():
        _configure()
        with context.begin_transaction():
            context.run_migrations()
        return

    def _do(connection: Connection) -> None:
        _configure(connection)
        with context.begin_transaction():
            context.run_migrations()

    async def _online() -> None:
        engine = make_engine(url)
        async with engine.connect() as conn:
            await conn.run_sync(_do)
        await engine.dispose()

    asyncio.run(_online())
