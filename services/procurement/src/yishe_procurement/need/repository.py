from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from .models import DesignNeed, DesignProject, NeedItem, NeedList, ProjectDesign, ResourceEntry


async def need_items(session: AsyncSession, ids: list[int]) -> list[tuple[NeedItem, NeedList]]:
    rows = await session.execute(select(NeedItem, NeedList).join(NeedList, NeedList.need_list_id ==
                                                                 NeedItem.need_list_id)
                                 .where(NeedItem.need_item_id.in_(ids)))
    return [(i, n) for i, n in rows.all()]


async def need_lists(session: AsyncSession, division_code: str, year: int) -> list[NeedList]:
    return list(await session.scalars(select(NeedList).where(NeedList.division_code == division_code,
                                                             NeedList.year == year).order_by(NeedList.created_at)))


async def items_of(session: AsyncSession, need_list_ids: list[str]) -> list[NeedItem]:
    return list(await session.scalars(select(NeedItem).where(NeedItem.need_list_id.in_(need_list_ids))
                                      .order_by(NeedItem.need_item_id)))


async def designs(session: AsyncSession, division_code: str, year: int) -> list[ProjectDesign]:
    return list(await session.scalars(select(ProjectDesign).where(ProjectDesign.division_code == division_code,
                                                                  ProjectDesign.year == year)
                                      .order_by(ProjectDesign.created_at)))


async def design_needs(session: AsyncSession, design_ids: list[str]) -> list[DesignNeed]:
    return list(await session.scalars(select(DesignNeed).where(DesignNeed.design_id.in_(design_ids))))


async def design_projects(session: AsyncSession, design_ids: list[str]) -> list[DesignProject]:
    return list(await session.scalars(select(DesignProject).where(DesignProject.design_id.in_(design_ids))))


async def resources(session: AsyncSession, design_ids: list[str]) -> list[ResourceEntry]:
    return list(await session.scalars(select(ResourceEntry).where(ResourceEntry.design_id.in_(design_ids))
                                      .order_by(ResourceEntry.created_at)))
