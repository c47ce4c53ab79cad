from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from .models import SubsidyApplication, SubsidyMonth


async def claimed_months(session: AsyncSession, person_key: str) -> set[str]:
    """Months of this person already claimed in any application not rejected."""
    stmt = select(SubsidyMonth.month).where(SubsidyMonth.person_key == person_key)
    return set((await session.scalars(stmt)).all())


async def months(session: AsyncSession, application_ids: list[int]) -> list[SubsidyMonth]:
    if not application_ids:
        return []
    stmt = (select(SubsidyMonth).where(SubsidyMonth.application_id.in_(application_ids))
            .order_by(SubsidyMonth.month))
    return list((await session.scalars(stmt)).all())


async def release_months(session: AsyncSession, application_id: int) -> None:
    for m in await months(session, [application_id]):
        await session.delete(m)


async def certificate_claimed(session: AsyncSession, person_key: str, kind: str, item: str) -> bool:
    stmt = (select(SubsidyApplication.application_id)
            .where(SubsidyApplication.person_key == person_key, SubsidyApplication.kind == kind,
                   SubsidyApplication.item == item, SubsidyApplication.status != "rejected").limit(1))
    return await session.scalar(stmt) is not None


async def ledger(session: AsyncSession, uscc: str, year: int | None) -> list[SubsidyApplication]:
    stmt = select(SubsidyApplication).where(SubsidyApplication.uscc == uscc).order_by(SubsidyApplication.application_id)
    if year is not None:
        stmt = stmt.where(SubsidyApplication.year == year)
    return list((await session.scalars(stmt)).all())
