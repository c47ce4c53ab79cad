from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from yishe_kit.readmodel import pinned_write, unpin

from .models import Bidder, BidderAnnualReport, BidderViolation


async def load_or_new(session: AsyncSession, uscc: str) -> Bidder:
    """The organisation's bidder row, created if missing. Several consumers (registration, credit profile, grade…)
    may meet a new organisation at once: the row is inserted with ON CONFLICT DO NOTHING (the database orders the
    racers, the loser finds the winner's row) instead of failing one of them on the unique key."""
    bidder = await session.get(Bidder, uscc)
    if bidder is not None:
        return bidder
    conn = await session.connection()
    upsert = pg_insert if conn.dialect.name == "postgresql" else sqlite_insert
    stmt = upsert(Bidder).values(uscc=uscc, updated_at=datetime.now(UTC), recommended=False,
                                 contracts=0).on_conflict_do_nothing(index_elements=["uscc"])
    token = pinned_write(Bidder.__tablename__, [uscc])  # voids this organisation's read model only
    try:
        await session.execute(stmt)
    finally:
        unpin(token)
    return await session.get_one(Bidder, uscc, populate_existing=True)


async def load_or_new_many(session: AsyncSession, usccs: list[str]) -> dict[str, Bidder]:
    """`load_or_new` for many organisations at once: one read, the missing rows inserted in one statement (ON
    CONFLICT DO NOTHING, the same race rule), one read of those."""
    wanted = sorted(set(usccs))
    if not wanted:
        return {}
    found = {b.uscc: b for b in await session.scalars(select(Bidder).where(Bidder.uscc.in_(wanted)))}
    missing = [u for u in wanted if u not in found]
    if missing:
        conn = await session.connection()
        upsert = pg_insert if conn.dialect.name == "postgresql" else sqlite_insert
        now = datetime.now(UTC)
        stmt = upsert(Bidder).on_conflict_do_nothing(index_elements=["uscc"])
        token = pinned_write(Bidder.__tablename__, missing)  # voids these organisations' read model only
        try:
            await session.execute(stmt, [{"uscc": u, "updated_at": now, "recommended": False, "contracts": 0}
                                         for u in missing])
        finally:
            unpin(token)
        found.update({b.uscc: b for b in await session.scalars(
            select(Bidder).where(Bidder.uscc.in_(missing)).execution_options(populate_existing=True))})
    return found


async def report(session: AsyncSession, uscc: str, year: int) -> BidderAnnualReport:
    row = await session.get(BidderAnnualReport, (uscc, year))
    if row is None:
        row = BidderAnnualReport(uscc=uscc, year=year)
        session.add(row)
    return row


async def reports(session: AsyncSession, uscc: str) -> list[BidderAnnualReport]:
    return list(await session.scalars(select(BidderAnnualReport).where(BidderAnnualReport.uscc == uscc)
                                      .order_by(BidderAnnualReport.year)))


async def add_violation(session: AsyncSession, *, uscc: str, kind: str, rule: str, reason: str,
                        occurred_on: date) -> None:
    """The same fact twice (a re-emitted event) is recorded once."""
    found = await session.scalar(select(BidderViolation.violation_id).where(
        BidderViolation.uscc == uscc, BidderViolation.kind == kind, BidderViolation.occurred_on == occurred_on))
    if found is None:
        session.add(BidderViolation(uscc=uscc, kind=kind, rule=rule, reason=reason[:500], occurred_on=occurred_on))


async def violations(session: AsyncSession, uscc: str) -> list[BidderViolation]:
    return list(await session.scalars(select(BidderViolation).where(BidderViolation.uscc == uscc)
                                      .order_by(BidderViolation.occurred_on)))
