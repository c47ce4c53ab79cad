from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from .models import Catalogue, CatalogueItem


async def last_version(session: AsyncSession, level: str, division_code: str, year: int) -> int:
    found = await session.scalar(select(func.max(Catalogue.version)).where(
        Catalogue.level == level, Catalogue.division_code == division_code, Catalogue.year == year))
    return found or 0


async def published(session: AsyncSession, level: str, division_code: str, year: int) -> list[Catalogue]:
    return list(await session.scalars(select(Catalogue).where(
        Catalogue.level == level, Catalogue.division_code == division_code, Catalogue.year == year,
        Catalogue.status == "published")))


async def items(session: AsyncSession, catalogue_id: str) -> list[CatalogueItem]:
    return list(await session.scalars(select(CatalogueItem).where(CatalogueItem.catalogue_id == catalogue_id)
                                      .order_by(CatalogueItem.code)))


async def item(session: AsyncSession, catalogue_id: str, code: str) -> CatalogueItem | None:
    return await session.scalar(select(CatalogueItem).where(CatalogueItem.catalogue_id == catalogue_id,
                                                            CatalogueItem.code == code))


async def search(session: AsyncSession, *, level: str | None, division_code: str | None, year: int | None,
                 status: str | None) -> list[tuple[Catalogue, int]]:
    count = (select(CatalogueItem.catalogue_id, func.count().label("n")).group_by(CatalogueItem.catalogue_id)
             .subquery())
    query = select(Catalogue, func.coalesce(count.c.n, 0)).outerjoin(
        count, count.c.catalogue_id == Catalogue.catalogue_id)
    if level:
        query = query.where(Catalogue.level == level)
    if division_code:
        query = query.where(Catalogue.division_code == division_code)
    if year:
        query = query.where(Catalogue.year == year)
    if status:
        query = query.where(Catalogue.status == status)
    rows = await session.execute(query.order_by(Catalogue.year.desc(), Catalogue.division_code, Catalogue.version))
    return [(c, n) for c, n in rows.all()]
