from __future__ import annotations

from sqlalchemy import String, bindparam, select, text, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.ext.asyncio import AsyncSession

from yishe_kit.bulk import insert_rows

from .models import LegalRepLock, Organisation, OrganisationHistory, OrganisationLeader, UsccSequence


async def get(session: AsyncSession, uscc: str) -> Organisation | None:
    return await session.get(Organisation, uscc)


async def exists(session: AsyncSession, uscc: str) -> bool:
    return await session.scalar(select(Organisation.uscc).where(Organisation.uscc == uscc)) is not None


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


async def history_entry(session: AsyncSession, uscc: str, history_id: int) -> OrganisationHistory | None:
    row = await session.get(OrganisationHistory, history_id)
    return row if row is not None and row.uscc == uscc else None


async def leaders(session: AsyncSession, uscc: str, current_only: bool = False) -> list[OrganisationLeader]:
    stmt = select(OrganisationLeader).where(OrganisationLeader.uscc == uscc)
    if current_only:
        stmt = stmt.where(OrganisationLeader.current.is_(True))
    return list((await session.scalars(stmt.order_by(OrganisationLeader.leader_id))).all())


async def end_current_leaders(session: AsyncSession, uscc: str) -> None:
    await session.execute(update(OrganisationLeader).where(OrganisationLeader.uscc == uscc,
                                                           OrganisationLeader.current.is_(True))
                          .values(current=False))


async def lock_legal_rep(session: AsyncSession, id_key: str) -> None:
    """Serialise REG-2/REG-4 per person: upsert the person's lock row before reading the register. PostgreSQL keeps
    the row locked until this transaction ends (a concurrent upsert waits, then reads what was committed); on SQLite
    the upsert is the transaction's first write, so it waits for the single writer and reads after it."""
    dialect = postgresql if session.bind.dialect.name == "postgresql" else sqlite
    stmt = (dialect.insert(LegalRepLock).values(id_key=id_key, claims=1)
            .on_conflict_do_update(index_elements=[LegalRepLock.id_key], set_={"claims": LegalRepLock.claims + 1}))
    await session.execute(stmt)


async def legal_rep_elsewhere(session: AsyncSession, id_number: str, org_type: str | None) -> list[Organisation]:
    """Active organisations (of this kind, if given) whose legal representative has this ID number."""
    stmt = select(Organisation).where(Organisation.legal_rep_id_number == id_number, Organisation.status == "active")
    if org_type:
        stmt = stmt.where(Organisation.org_type == org_type)
    stmt = stmt.limit(5)
    return list((await session.scalars(stmt)).all())


# PostgreSQL: one primary-key probe per USCC. `uscc IN (…1,000 keys)` was planned as a scan of the whole table
# (statistics say it is small: an import's rows are uncommitted until its end, so nothing re-analyses it), once per
# 1,000-row chunk of an import: 669 rows/s at 100,000 (bench/import_memory.py --postgres), most of it in this query.
_SNAPSHOT_PG = text("SELECT o.* FROM unnest(CAST(:keys AS varchar[])) AS k(uscc) CROSS JOIN LATERAL "
                    "(SELECT * FROM organisation AS x WHERE x.uscc = k.uscc LIMIT 1) AS o"
                    ).bindparams(bindparam("keys", type_=ARRAY(String)))


async def snapshot(session: AsyncSession, usccs: list[str]) -> dict[str, Organisation]:
    if not usccs:
        return {}
    if (await session.connection()).dialect.name == "postgresql":
        stmt = select(Organisation).from_statement(_SNAPSHOT_PG).params(keys=usccs)
        return {o.uscc: o for o in await session.scalars(stmt)}
    return {o.uscc: o for o in await session.scalars(select(Organisation).where(Organisation.uscc.in_(usccs)))}


async def insert_many(session: AsyncSession, orgs: list[dict], history: list[dict]) -> None:
    # The kit's executemany (driver-level on SQLite): several times faster than the ORM or Core paths for wide rows;
    # on PostgreSQL a binary COPY (bench/import_memory.py --postgres at 100,000: see the registry's README).
    await insert_rows(session, Organisation.__table__, orgs, copy=True)
    await insert_rows(session, OrganisationHistory.__table__, history, copy=True)
