from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from .models import Organisation, OrganisationHistory, UsccSequence


async def get(session: AsyncSession, uscc: str) -> Organisation | None:
    return await session.get(Organisation, uscc)


async def exists(session: AsyncSession, uscc: str) -> bool:
    return await session.scalar(select(Organisation.uscc).where(Organisation.uscc == uscc)) is not None


async def name_in_use(session: AsyncSession, name_normalised: str) -> bool:
    stmt = select(Organisation.uscc).where(Organisation.name_normalised == name_normalised)
    return await session.scalar(stmt) is not None


async def next_sequence(session: AsyncSession, division_code: str) -> int:
    """Atomically take the next body sequence number for a registering authority."""
    dialect = postgresql if session.bind.dialect.name == "postgresql" else sqlite
    stmt = (
        dialect.insert(UsccSequence)
        .values(division_code=division_code, next_value=1)
        .on_conflict_do_update(
            index_elements=[UsccSequence.division_code], set_={"next_value": UsccSequence.next_value + 1}
        )
        .returning(UsccSequence.next_value)
    )
    return int((await session.execute(stmt)).scalar_one())


async def history(session: AsyncSession, uscc: str) -> list[OrganisationHistory]:
    stmt = select(OrganisationHistory).where(OrganisationHistory.uscc == uscc).order_by(OrganisationHistory.history_id)
    return list((await session.scalars(stmt)).all())
