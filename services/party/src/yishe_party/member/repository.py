from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from .models import PartyMember, PartyMemberHistory


async def get(session: AsyncSession, member_id: int) -> PartyMember | None:
    return await session.get(PartyMember, member_id)


async def active_of(session: AsyncSession, uscc: str) -> list[PartyMember]:
    stmt = (select(PartyMember).where(PartyMember.uscc == uscc, PartyMember.state == "active")
            .order_by(PartyMember.member_id))
    return list((await session.scalars(stmt)).all())


async def active_by_hash(session: AsyncSession, id_hash: str) -> PartyMember | None:
    stmt = select(PartyMember).where(PartyMember.id_number_hash == id_hash, PartyMember.state == "active").limit(1)
    return await session.scalar(stmt)


async def history(session: AsyncSession, member_id: int) -> list[PartyMemberHistory]:
    stmt = (select(PartyMemberHistory).where(PartyMemberHistory.member_id == member_id)
            .order_by(PartyMemberHistory.history_id))
    return list((await session.scalars(stmt)).all())
