from __future__ import annotations

from typing import cast

from sqlalchemy import Table, select
from sqlalchemy.ext.asyncio import AsyncSession

from yishe_kit.bulk import insert_rows, update_rows

from .models import Contract, Filing, GradeEvent, Organisation


async def get(session: AsyncSession, uscc: str) -> Organisation | None:
    return await session.get(Organisation, uscc)


async def get_filing(session: AsyncSession, filing_no: str) -> Filing | None:
    return await session.get(Filing, filing_no)


async def filing_of(session: AsyncSession, uscc: str) -> Filing | None:
    return await session.scalar(select(Filing).where(Filing.uscc == uscc).order_by(Filing.changed_on.desc()).limit(1))


async def known(session: AsyncSession, usccs: list[str]) -> set[str]:
    """Which of these organisations are known (their USCCs only: no ORM objects)."""
    if not usccs:
        return set()
    return set(await session.scalars(select(Organisation.uscc).where(Organisation.uscc.in_(usccs))))


async def insert_many(session: AsyncSession, rows: list[dict]) -> None:
    """New organisations in one statement; one already there is left as it is (its first registration wins)."""
    await insert_rows(session, cast(Table, Organisation.__table__), rows, or_ignore=True)


async def set_colours(session: AsyncSession, colours: dict[str, str]) -> None:
    """Each organisation's credit colour, in one statement."""
    await update_rows(session, cast(Table, Organisation.__table__), "uscc",
                      [{"colour": colour, "uscc": uscc} for uscc, colour in colours.items()])


async def filings_of(session: AsyncSession, usccs: list[str]) -> dict[str, Filing]:
    """`filing_of` for many organisations: each one's latest filing."""
    if not usccs:
        return {}
    out: dict[str, Filing] = {}
    for filing in await session.scalars(select(Filing).where(Filing.uscc.in_(usccs))
                                        .order_by(Filing.changed_on.desc())):
        if filing.uscc is not None:
            out.setdefault(filing.uscc, filing)
    return out


async def organisations(session: AsyncSession, prefix: str | None) -> list[Organisation]:
    stmt = select(Organisation).order_by(Organisation.uscc)
    if prefix:
        stmt = stmt.where(Organisation.division_code.startswith(prefix[:6]))
    rows = list((await session.scalars(stmt)).all())
    if prefix and len(prefix) > 6:
        rows = [r for r in rows if (r.township_code or "").startswith(prefix)]
    return rows


async def filings(session: AsyncSession, prefix: str | None) -> list[Filing]:
    stmt = select(Filing).order_by(Filing.filing_no)
    if prefix:
        stmt = stmt.where(Filing.township_code.startswith(prefix))
    return list((await session.scalars(stmt)).all())


async def grade_events(session: AsyncSession, usccs: list[str] | None = None) -> list[GradeEvent]:
    stmt = select(GradeEvent).order_by(GradeEvent.changed_on, GradeEvent.grade_event_id)
    if usccs is not None:
        stmt = stmt.where(GradeEvent.uscc.in_(usccs))
    return list((await session.scalars(stmt)).all())


async def has_grade_event(session: AsyncSession, event_id: str) -> bool:
    return await session.scalar(select(GradeEvent.grade_event_id).where(GradeEvent.event_id == event_id)) is not None


async def contracts(session: AsyncSession) -> list[Contract]:
    return list((await session.scalars(select(Contract).order_by(Contract.awarded_on, Contract.contract_id))).all())
