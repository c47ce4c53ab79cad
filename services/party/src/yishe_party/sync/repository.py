from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from .models import SyncStep


async def find(session: AsyncSession, uscc: str, step: str, period: str) -> SyncStep | None:
    stmt = select(SyncStep).where(SyncStep.uscc == uscc, SyncStep.step == step, SyncStep.period == period)
    return await session.scalar(stmt)


async def of(session: AsyncSession, uscc: str) -> list[SyncStep]:
    stmt = select(SyncStep).where(SyncStep.uscc == uscc).order_by(SyncStep.occurred_on, SyncStep.step_id)
    return list((await session.scalars(stmt)).all())
