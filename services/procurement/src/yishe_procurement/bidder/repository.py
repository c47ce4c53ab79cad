from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime
from typing import Any, cast

from sqlalchemy import Table, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from yishe_kit.bulk import insert_rows, update_rows
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


class BidderRow:
    """A bidder row as a plain dict with attribute access, so the rules written for an ORM `Bidder` apply to it
    unchanged; `changed()` is what they set that differs from what was read."""

    __slots__ = ("_read", "_values")

    def __init__(self, values: dict[str, Any]):
        object.__setattr__(self, "_values", values)
        object.__setattr__(self, "_read", dict(values))

    def __getattr__(self, name: str) -> Any:
        try:
            return self._values[name]
        except KeyError:
            raise AttributeError(name) from None

    def __setattr__(self, name: str, value: Any) -> None:
        if name not in self._values:
            raise AttributeError(name)
        self._values[name] = value

    def changed(self) -> dict[str, Any]:
        return {k: v for k, v in self._values.items() if v != self._read[k]}


async def rows_or_new(session: AsyncSession, usccs: list[str]) -> dict[str, BidderRow]:
    """`load_or_new` for many organisations, without ORM objects (their loading and unit of work were a third of
    this consumer's CPU in a bulk import): one Core read; the missing rows inserted bare in one statement (INSERT OR
    IGNORE / ON CONFLICT DO NOTHING, as before) and taken as read with their defaults. Consumers hold the
    organisations they handle (`hold_organisations`), so no other consumer writes these rows in between;
    `write_rows` sets only the columns the rules changed."""
    wanted = sorted(set(usccs))
    table = cast(Table, Bidder.__table__)
    found = {r["uscc"]: BidderRow(dict(r)) for r in (
        await session.execute(select(table).where(table.c.uscc.in_(wanted)))).mappings()} if wanted else {}
    missing = [u for u in wanted if u not in found]
    if missing:
        now = datetime.now(UTC)
        bare = [{"uscc": u, "updated_at": now, "recommended": False, "contracts": 0} for u in missing]
        await insert_rows(session, table, bare, or_ignore=True)
        blank = dict.fromkeys(table.c.keys())
        found.update((row["uscc"], BidderRow({**blank, **row})) for row in bare)
    return found


async def write_rows(session: AsyncSession, rows: Iterable[BidderRow]) -> None:
    """What the rules changed in these rows, one statement per set of changed columns (a bulk event's rows change
    the same ones)."""
    groups: dict[tuple[str, ...], list[dict[str, Any]]] = {}
    for row in rows:
        changed = row.changed()
        if changed:
            groups.setdefault(tuple(sorted(changed)), []).append({**changed, "uscc": row.uscc})
    for part in groups.values():
        await update_rows(session, cast(Table, Bidder.__table__), "uscc", part)


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
