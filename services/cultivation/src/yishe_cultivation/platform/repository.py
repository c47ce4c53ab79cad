from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from .models import Assessment, Platform


async def get(session: AsyncSession, platform_id: int) -> Platform | None:
    return await session.get(Platform, platform_id)


async def by_township(session: AsyncSession, township_code: str) -> Platform | None:
    return await session.scalar(select(Platform).where(Platform.township_code == township_code))


async def in_prefix(session: AsyncSession, prefix: str | None) -> list[Platform]:
    stmt = select(Platform).order_by(Platform.township_code)
    if prefix:
        stmt = stmt.where(Platform.township_code.startswith(prefix))
    return list((await session.scalars(stmt)).all())


async def assessment(session: AsyncSession, platform_id: int, year: int) -> Assessment | None:
    return await session.scalar(select(Assessment).where(Assessment.platform_id == platform_id,
                                                         Assessment.year == year))


async def assessments(session: AsyncSession, platform_ids: list[int] | None = None) -> list[Assessment]:
    stmt = select(Assessment).order_by(Assessment.platform_id, Assessment.year)
    if platform_ids is not None:
        stmt = stmt.where(Assessment.platform_id.in_(platform_ids))
    return list((await session.scalars(stmt)).all())
