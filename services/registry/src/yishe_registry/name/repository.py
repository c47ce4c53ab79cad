from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from yishe_kit.bulk import insert_rows

from .models import NameClaim, NameReservation

ACTIVE = ("reserved", "in_application")


async def claim_of(session: AsyncSession, name_key: str) -> NameClaim | None:
    return await session.get(NameClaim, name_key)


async def add_claim(session: AsyncSession, name_key: str, holder_type: str, holder_id: str) -> None:
    session.add(NameClaim(name_normalised=name_key, holder_type=holder_type, holder_id=holder_id,
                          claimed_at=datetime.now(UTC)))
    await session.flush()


async def move_claim(session: AsyncSession, name_key: str, holder_type: str, holder_id: str) -> None:
    await session.execute(update(NameClaim).where(NameClaim.name_normalised == name_key)
                          .values(holder_type=holder_type, holder_id=holder_id))


async def drop_claim(session: AsyncSession, name_key: str, holder_type: str, holder_id: str) -> None:
    await session.execute(delete(NameClaim).where(NameClaim.name_normalised == name_key,
                                                  NameClaim.holder_type == holder_type,
                                                  NameClaim.holder_id == holder_id))


async def reservation(session: AsyncSession, reservation_id: int) -> NameReservation | None:
    return await session.get(NameReservation, reservation_id)


async def active_reservations_like(session: AsyncSession, division_code: str, part: str,
                                   limit: int = 100) -> list[NameReservation]:
    stmt = (select(NameReservation).where(NameReservation.division_code == division_code,
                                          NameReservation.status.in_(ACTIVE),
                                          NameReservation.name_normalised.contains(part, autoescape=True))
            .limit(limit))
    return list((await session.scalars(stmt)).all())


async def industry_reservations(session: AsyncSession, division_code: str, sector_key: str,
                                today: date) -> list[NameReservation]:
    stmt = select(NameReservation).where(
        NameReservation.division_code == division_code, NameReservation.sector_key == sector_key,
        NameReservation.is_industry_association.is_(True), NameReservation.status.in_(ACTIVE),
        (NameReservation.status == "in_application") | (NameReservation.expires_on >= today))
    return list((await session.scalars(stmt)).all())


async def expiring(session: AsyncSession, as_of: date) -> list[NameReservation]:
    stmt = (select(NameReservation).where(NameReservation.status == "reserved", NameReservation.expires_on < as_of)
            .order_by(NameReservation.reservation_id))
    return list((await session.scalars(stmt)).all())


async def claims_for(session: AsyncSession, keys: list[str]) -> dict[str, NameClaim]:
    if not keys:
        return {}
    return {c.name_normalised: c for c in await session.scalars(select(NameClaim).where(
        NameClaim.name_normalised.in_(keys)))}


async def add_claims(session: AsyncSession, rows: list[dict]) -> None:
    await insert_rows(session, NameClaim.__table__, rows, copy=True)  # a clash is still an IntegrityError
