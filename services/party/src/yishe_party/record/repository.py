from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from .models import PartyCountChange, PartyRecord


async def get(session: AsyncSession, uscc: str) -> PartyRecord | None:
    return await session.get(PartyRecord, uscc)


async def existing(session: AsyncSession, usccs: list[str]) -> set[str]:
    """Which of these organisations have a record (their keys only, no object loaded)."""
    if not usccs:
        return set()
    return set(await session.scalars(select(PartyRecord.uscc).where(PartyRecord.uscc.in_(usccs))))


async def get_many(session: AsyncSession, usccs: list[str]) -> dict[str, PartyRecord]:
    if not usccs:
        return {}
    rows = await session.scalars(select(PartyRecord).where(PartyRecord.uscc.in_(usccs)))
    return {r.uscc: r for r in rows}


async def in_division(session: AsyncSession, prefix: str) -> list[PartyRecord]:
    stmt = select(PartyRecord).order_by(PartyRecord.uscc)
    if prefix:
        stmt = stmt.where(PartyRecord.division_code.startswith(prefix))
    return list((await session.scalars(stmt)).all())


async def count_changes(session: AsyncSession, uscc: str) -> list[PartyCountChange]:
    stmt = (select(PartyCountChange).where(PartyCountChange.uscc == uscc)
            .order_by(PartyCountChange.effective_on, PartyCountChange.change_id))
    return list((await session.scalars(stmt)).all())


async def counts_as_of(session: AsyncSession, usccs: list[str], day: date) -> dict[str, tuple[int, int]]:
    """(full, probationary) of each organisation on `day`: its latest count change effective by then."""
    if not usccs:
        return {}
    stmt = (select(PartyCountChange).where(PartyCountChange.uscc.in_(usccs), PartyCountChange.effective_on <= day)
            .order_by(PartyCountChange.effective_on, PartyCountChange.change_id))
    out: dict[str, tuple[int, int]] = {}
    for change in await session.scalars(stmt):
        out[change.uscc] = (change.full_members, change.probationary_members)
    return out
