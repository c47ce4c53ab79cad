from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from .models import Bidder, BidderAnnualReport, BidderViolation


async def load_or_new(session: AsyncSession, uscc: str) -> Bidder:
    bidder = await session.get(Bidder, uscc)
    if bidder is None:
        bidder = Bidder(uscc=uscc, updated_at=datetime.now(UTC), recommended=False, contracts=0)
        session.add(bidder)
    return bidder


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
