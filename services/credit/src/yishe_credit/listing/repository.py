"""Queries of the listing domain."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from .models import ListingEntry, ListingTrigger, RemovalApplication


async def trigger_by_key(session: AsyncSession, key: str) -> ListingTrigger | None:
    return await session.scalar(select(ListingTrigger).where(ListingTrigger.dedupe_key == key))


async def entry_by_key(session: AsyncSession, key: str) -> ListingEntry | None:
    return await session.scalar(select(ListingEntry).where(ListingEntry.dedupe_key == key))


async def pending_triggers(session: AsyncSession, *, uscc: str | None = None, ref: str | None = None,
                           due_by: date | None = None) -> list[ListingTrigger]:
    stmt = select(ListingTrigger).where(ListingTrigger.status == "pending")
    if uscc is not None:
        stmt = stmt.where(ListingTrigger.uscc == uscc)
    if ref is not None:
        stmt = stmt.where(ListingTrigger.ref == ref)
    if due_by is not None:
        stmt = stmt.where(ListingTrigger.due_on <= due_by)
    return list(await session.scalars(stmt.order_by(ListingTrigger.trigger_id)))


async def active_entries(session: AsyncSession, uscc: str, list_type: str | None = None) -> list[ListingEntry]:
    stmt = select(ListingEntry).where(ListingEntry.uscc == uscc, ListingEntry.status == "active")
    if list_type is not None:
        stmt = stmt.where(ListingEntry.list_type == list_type)
    return list(await session.scalars(stmt.order_by(ListingEntry.entry_id)))


async def active_entries_many(session: AsyncSession, usccs: list[str] | None, list_type: str | None = None
                              ) -> list[ListingEntry]:
    stmt = select(ListingEntry).where(ListingEntry.status == "active")
    if usccs is not None:
        stmt = stmt.where(ListingEntry.uscc.in_(usccs))
    if list_type is not None:
        stmt = stmt.where(ListingEntry.list_type == list_type)
    return list(await session.scalars(stmt.order_by(ListingEntry.uscc, ListingEntry.entry_id)))


async def entries_for(session: AsyncSession, uscc: str) -> list[ListingEntry]:
    return list(await session.scalars(select(ListingEntry).where(ListingEntry.uscc == uscc)
                                      .order_by(ListingEntry.entry_id)))


async def entries_for_many(session: AsyncSession, usccs: list[str]) -> dict[str, list[ListingEntry]]:
    out: dict[str, list[ListingEntry]] = {u: [] for u in usccs}
    rows = await session.scalars(select(ListingEntry).where(ListingEntry.uscc.in_(usccs))
                                 .order_by(ListingEntry.entry_id))
    for e in rows:
        out[e.uscc].append(e)
    return out


async def public_entries(session: AsyncSession, list_type: str, *, include_ended: bool, division_prefix: str,
                         limit: int, offset: int) -> list[ListingEntry]:
    stmt = select(ListingEntry).where(ListingEntry.list_type == list_type)
    if not include_ended:
        stmt = stmt.where(ListingEntry.status == "active")
    if division_prefix:
        stmt = stmt.where(ListingEntry.division_code.startswith(division_prefix))
    stmt = stmt.where(ListingEntry.end_rule.is_(None) | (ListingEntry.end_rule != "CR-15"))
    return list(await session.scalars(stmt.order_by(ListingEntry.listed_on.desc(), ListingEntry.entry_id.desc())
                                      .limit(limit).offset(offset)))


async def pending_application(session: AsyncSession, entry_id: int) -> RemovalApplication | None:
    return await session.scalar(select(RemovalApplication).where(
        RemovalApplication.entry_id == entry_id, RemovalApplication.status == "pending"))


async def applications(session: AsyncSession, status: str | None, division_prefix: str) -> list[RemovalApplication]:
    stmt = select(RemovalApplication).join(ListingEntry, ListingEntry.entry_id == RemovalApplication.entry_id)
    if status:
        stmt = stmt.where(RemovalApplication.status == status)
    if division_prefix:
        stmt = stmt.where(ListingEntry.division_code.startswith(division_prefix))
    return list(await session.scalars(stmt.order_by(RemovalApplication.application_id)))
