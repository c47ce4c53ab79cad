from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from .models import Application, ApplicationStep

OPEN = ("under_review", "publicity", "approved")


async def get(session: AsyncSession, application_id: int) -> Application | None:
    return await session.get(Application, application_id)


async def steps(session: AsyncSession, application_id: int) -> list[ApplicationStep]:
    stmt = (select(ApplicationStep).where(ApplicationStep.application_id == application_id)
            .order_by(ApplicationStep.step_id))
    return list((await session.scalars(stmt)).all())


async def steps_for(session: AsyncSession, ids: list[int]) -> dict[int, list[ApplicationStep]]:
    out: dict[int, list[ApplicationStep]] = {i: [] for i in ids}
    if ids:
        stmt = select(ApplicationStep).where(ApplicationStep.application_id.in_(ids)).order_by(ApplicationStep.step_id)
        for s in await session.scalars(stmt):
            out[s.application_id].append(s)
    return out


async def page(session: AsyncSession, *, status: str | None, division: str | None, overdue_as_of: date | None,
               cursor: int | None, limit: int) -> list[Application]:
    stmt = select(Application)
    if status:
        stmt = stmt.where(Application.status == status)
    if division:
        stmt = stmt.where(Application.division_code.startswith(division, autoescape=True))
    if overdue_as_of:
        stmt = stmt.where(Application.status.in_(OPEN), Application.decision_due < overdue_as_of)
    if cursor:
        stmt = stmt.where(Application.application_id > cursor)
    return list((await session.scalars(stmt.order_by(Application.application_id).limit(limit))).all())


async def newly_overdue(session: AsyncSession, as_of: date) -> list[Application]:
    stmt = (select(Application).where(Application.status.in_(OPEN), Application.decision_due < as_of,
                                      Application.overdue_marked_on.is_(None))
            .order_by(Application.application_id))
    return list((await session.scalars(stmt)).all())
