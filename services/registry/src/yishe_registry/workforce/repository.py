from __future__ import annotations

from datetime import date

from sqlalchemy import case, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from ..organisation.models import Organisation
from .models import WorkforceFigure


async def figure(session: AsyncSession, uscc: str, year: int) -> WorkforceFigure | None:
    return await session.scalar(select(WorkforceFigure).where(WorkforceFigure.uscc == uscc,
                                                              WorkforceFigure.year == year))


async def figures(session: AsyncSession, uscc: str) -> list[WorkforceFigure]:
    stmt = select(WorkforceFigure).where(WorkforceFigure.uscc == uscc).order_by(WorkforceFigure.year)
    return list((await session.scalars(stmt)).all())


async def organisations_per_division(session: AsyncSession, year: int, prefix: str | None) -> dict[str, int]:
    stmt = (select(Organisation.division_code, func.count())
            .where(Organisation.status.in_(("active", "suspended")),
                   Organisation.registration_date <= date(year, 12, 31))
            .group_by(Organisation.division_code))
    if prefix:
        stmt = stmt.where(Organisation.division_code.startswith(prefix))
    return {d: n for d, n in (await session.execute(stmt)).all()}


async def figures_per_division(session: AsyncSession, year: int, prefix: str | None) -> list[tuple]:
    """Per division: reporting, with ≥ 1 full-time staff, and the three sums, of organisations still active."""
    w = WorkforceFigure
    stmt = (select(w.division_code, func.count(), func.sum(case((w.full_time_staff >= 1, 1), else_=0)),
                   func.sum(w.full_time_staff), func.sum(w.certified_social_workers), func.sum(w.volunteers))
            .join(Organisation, Organisation.uscc == w.uscc)
            .where(w.year == year, Organisation.status.in_(("active", "suspended")))
            .group_by(w.division_code))
    if prefix:
        stmt = stmt.where(w.division_code.startswith(prefix))
    return list((await session.execute(stmt)).all())
