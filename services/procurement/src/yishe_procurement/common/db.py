"""Unique constraints are the last word on races: a concurrent duplicate becomes a 409, never a 500."""

from __future__ import annotations

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from yishe_kit.errors import Conflict


async def flush_or_conflict(session: AsyncSession, code: str, detail: str) -> None:
    try:
        await session.flush()
    except IntegrityError as exc:
        raise Conflict(code, detail) from exc
