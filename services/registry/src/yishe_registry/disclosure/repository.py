from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from .models import DisclosureDuty, FinancialDisclosure, FundingReceipt


async def receipt(session: AsyncSession, uscc: str, source_ref: str) -> FundingReceipt | None:
    return await session.scalar(select(FundingReceipt).where(FundingReceipt.uscc == uscc,
                                                             FundingReceipt.source_ref == source_ref))


async def duty(session: AsyncSession, uscc: str, year: int) -> DisclosureDuty | None:
    return await session.scalar(select(DisclosureDuty).where(DisclosureDuty.uscc == uscc, DisclosureDuty.year == year))


async def disclosure(session: AsyncSession, uscc: str, year: int) -> FinancialDisclosure | None:
    return await session.scalar(select(FinancialDisclosure).where(FinancialDisclosure.uscc == uscc,
                                                                  FinancialDisclosure.year == year))


async def disclosures(session: AsyncSession, uscc: str) -> list[FinancialDisclosure]:
    stmt = (select(FinancialDisclosure).where(FinancialDisclosure.uscc == uscc)
            .order_by(FinancialDisclosure.year.desc()))
    return list((await session.scalars(stmt)).all())


async def duties(session: AsyncSession, uscc: str) -> list[DisclosureDuty]:
    stmt = select(DisclosureDuty).where(DisclosureDuty.uscc == uscc).order_by(DisclosureDuty.year)
    return list((await session.scalars(stmt)).all())


async def receipts(session: AsyncSession, uscc: str) -> list[FundingReceipt]:
    stmt = select(FundingReceipt).where(FundingReceipt.uscc == uscc).order_by(FundingReceipt.received_on)
    return list((await session.scalars(stmt)).all())


async def overdue(session: AsyncSession, as_of: date, limit: int) -> list[DisclosureDuty]:
    stmt = (select(DisclosureDuty)
            .where(DisclosureDuty.deadline < as_of, DisclosureDuty.disclosed_on.is_(None),
                   DisclosureDuty.missing_on.is_(None))
            .order_by(DisclosureDuty.duty_id).limit(limit))
    return list((await session.scalars(stmt)).all())


async def missing(session: AsyncSession, prefix: str | None, limit: int) -> list[DisclosureDuty]:
    stmt = (select(DisclosureDuty).where(DisclosureDuty.missing_on.is_not(None), DisclosureDuty.disclosed_on.is_(None))
            .order_by(DisclosureDuty.division_code, DisclosureDuty.uscc, DisclosureDuty.year).limit(limit))
    if prefix:
        stmt = stmt.where(DisclosureDuty.division_code.startswith(prefix))
    return list((await session.scalars(stmt)).all())
