"""Alembic `env.py` body shared by every service: async engine, the service's metadata, its URL from settings."""

from __future__ import annotations

import asyncio

from alembic import context
from sqlalchemy import MetaData
from sqlalchemy.engine import Connection

from .db import make_engine


def run(metadata: MetaData, url: str) -> None:
    def _configure(connection: Connection | None = None) -> None:
        context.configure(
            connection=connection,
            url=None if connection is not None else url,
            target_metadata=metadata,
            compare_type=True,
            render_as_batch=url.startswith("sqlite"),
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
