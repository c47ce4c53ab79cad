from __future__ import annotations

from datetime import date

from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from .models import Talent, WorkCover


async def get(session: AsyncSession, talent_id: int) -> Talent | None:
    return await session.get(Talent, talent_id)


async def get_cover(session: AsyncSession, cover_id: int) -> WorkCover | None:
    return await session.get(WorkCover, cover_id)


async def loads(session: AsyncSession, talent_ids: list[int] | None = None) -> dict[int, int]:
    """Current (not ended) covers per talent."""
    stmt = (select(WorkCover.talent_id, func.count()).where(WorkCover.ended_on.is_(None),
                                                            WorkCover.talent_id.is_not(None))
            .group_by(WorkCover.talent_id))
    if talent_ids is not None:
        stmt = stmt.where(WorkCover.talent_id.in_(talent_ids))
    return {tid: n for tid, n in (await session.execute(stmt)).all()}


async def listing(session: AsyncSession, prefix: str, *, active_only: bool = False) -> list[Talent]:
    stmt = select(Talent).order_by(Talent.talent_id)
    if prefix:
        stmt = stmt.where(Talent.division_code.startswith(prefix))
    if active_only:
        stmt = stmt.where(Talent.active.is_(True))
    return list((await session.scalars(stmt)).all())


async def current_covers(session: AsyncSession, uscc: str) -> list[WorkCover]:
    stmt = select(WorkCover).where(WorkCover.uscc == uscc, WorkCover.ended_on.is_(None)).order_by(WorkCover.cover_id)
    return list((await session.scalars(stmt)).all())


async def current_cover_counts(session: AsyncSession, usccs: list[str]) -> dict[str, int]:
    """Current (not ended) covers per organisation, for many at once."""
    if not usccs:
        return {}
    stmt = (select(WorkCover.uscc, func.count()).where(WorkCover.uscc.in_(usccs), WorkCover.ended_on.is_(None))
            .group_by(WorkCover.uscc))
    return {uscc: n for uscc, n in (await session.execute(stmt)).all()}


async def covers_of(session: AsyncSession, uscc: str) -> list[WorkCover]:
    stmt = select(WorkCover).where(WorkCover.uscc == uscc).order_by(WorkCover.cover_id)
    return list((await session.scalars(stmt)).all())


async def covered_on(session: AsyncSession, day: date, usccs: list[str] | None = None) -> set[str]:
    stmt = select(WorkCover.uscc).where(WorkCover.started_on <= day,
                                        or_(WorkCover.ended_on.is_(None), WorkCover.ended_on > day))
    if usccs is not None:
        stmt = stmt.where(WorkCover.uscc.in_(usccs))
    return set((await session.scalars(stmt)).all())


async def talent_covers_in(session: AsyncSession, start: date, end: date,
                           prefix: str) -> list[tuple[Talent, WorkCover]]:
    """Covers by pool talent overlapping [start, end], the talent in the division prefix."""
    stmt = (select(Talent, WorkCover).join(WorkCover, WorkCover.talent_id == Talent.talent_id)
            .where(WorkCover.started_on <= end, or_(WorkCover.ended_on.is_(None), WorkCover.ended_on >= start))
            .order_by(Talent.talent_id, WorkCover.cover_id))
    if prefix:
        stmt = stmt.where(Talent.division_code.startswith(prefix))
    return [(t, c) for t, c in (await session.execute(stmt)).all()]
