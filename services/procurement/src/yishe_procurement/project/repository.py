from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from .models import OcidSequence, Project, ProjectAmendment


async def next_number(session: AsyncSession, scope: str) -> int:
    """The next number in a scope; safe under concurrent requests on PostgreSQL (row lock) and SQLite."""
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    await session.execute(insert(OcidSequence).values(scope=scope, last=0).on_conflict_do_nothing())
    return await session.scalar(update(OcidSequence).where(OcidSequence.scope == scope)
                                .values(last=OcidSequence.last + 1).returning(OcidSequence.last))


async def amendments(session: AsyncSession, project_id: str) -> list[ProjectAmendment]:
    return list(await session.scalars(select(ProjectAmendment).where(ProjectAmendment.project_id == project_id)
                                      .order_by(ProjectAmendment.version)))


async def search(session: AsyncSession, *, status: str | None, division_prefix: str | None, year: int | None,
                 department: str | None, public_only: bool) -> list[Project]:
    query = select(Project)
    if status:
        query = query.where(Project.status == status)
    if division_prefix:
        query = query.where(Project.division_code.startswith(division_prefix))
    if year:
        query = query.where(Project.budget_year == year)
    if department:
        query = query.where(Project.purchaser_department == department)
    if public_only:
        query = query.where(Project.status != "planning")
    return list(await session.scalars(query.order_by(Project.created_at.desc()).limit(500)))


async def tenders_closing(session: AsyncSession, before) -> list[Project]:
    return list(await session.scalars(select(Project).where(Project.status == "tender", Project.tender_end < before)
                                      .order_by(Project.tender_end)))
