"""Queries of the search read side (it reads the organisation table; writes only its own index `name_fts`)."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import bindparam, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from ..organisation.models import Organisation
from .models import FTS_TABLE, document, phrase

# A name part matching more organisations than this is "dense": walking the table in USCC order finds a page of
# matches sooner than sorting every match (at this density a 20-row page is ~4,000 rows of scan at worst).
SELECTIVE_CAP = 5000


@dataclass(frozen=True)
class Filters:
    q: str | None = None  # a name key (normalised)
    org_type: str | None = None
    division: str | None = None  # prefix
    status: str | None = None
    grade: str | None = None
    community_class: str | None = None
    industry_association: bool | None = None
    sector_key: str | None = None


def uses_fts(session: AsyncSession) -> bool:
    return session.bind.dialect.name == "sqlite"


def _like(value: str) -> str:
    return "%" + value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


async def add_names(session: AsyncSession, rows: Iterable[tuple[str, str]]) -> None:
    """rows: (uscc, name key). One executemany (bulk import calls this with thousands of rows)."""
    params = [(document(key), uscc) for uscc, key in rows]
    if params:
        conn = await session.connection()
        await conn.exec_driver_sql(f"INSERT INTO {FTS_TABLE} (grams, uscc) VALUES (?, ?)", params)


async def remove_name(session: AsyncSession, uscc: str, name_key: str) -> None:
    """The organisation's entry under its old key: found through the index itself (the old name is a very selective
    phrase), then narrowed to this USCC."""
    if len(name_key) < 2:
        return
    conn = await session.connection()
    await conn.exec_driver_sql(
        f"DELETE FROM {FTS_TABLE} WHERE rowid IN (SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH ? "
        "AND uscc = ?)", (phrase(name_key), uscc))


def _conditions(f: Filters, alias: str = "o", *, sqlite: bool = False) -> tuple[list[str], dict]:
    conds, params = [], {}
    for field in ("org_type", "status", "grade", "community_class", "sector_key"):
        value = getattr(f, field)
        if value is not None:
            # SQLite: a unary + keeps the planner off the low-cardinality indexes (status, kind), whose rows it would
            # then have to sort, and on a walk in USCC order that stops after one page.
            plus = "+" if sqlite and field in ("org_type", "status") else ""
            conds.append(f"{plus}{alias}.{field} = :{field}")
            params[field] = value
    if f.industry_association is not None:
        conds.append(f"{alias}.is_industry_association = :ia")
        params["ia"] = f.industry_association
    if f.division and len(f.division) == 6:  # one division: its (division_code, uscc) index is already in order
        conds.append(f"{alias}.division_code = :division")
        params["division"] = f.division
    elif f.division:
        conds.append(f"{alias}.division_code LIKE :division ESCAPE '\\'")
        params["division"] = f.division.replace("%", "").replace("_", "") + "%"
    return conds, params


async def find_usccs(session: AsyncSession, f: Filters, cursor: str | None, limit: int) -> list[str]:
    """USCCs matching the filters in USCC order after `cursor`, at most `limit`."""
    if f.q and len(f.q) >= 2 and uses_fts(session):
        conn = await session.connection()
        found = (await conn.exec_driver_sql(f"SELECT uscc FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH ? LIMIT ?",
                                            (phrase(f.q), SELECTIVE_CAP + 1))).scalars().all()
        if not found:
            return []
        if len(found) <= SELECTIVE_CAP:  # few matches: check them against the filters, in USCC order
            conds, params = _conditions(f)
            conds.append("o.name_normalised LIKE :pattern ESCAPE '\\'")  # the index's answer, re-checked
            params.update(found=json.dumps(found), pattern=_like(f.q), limit=limit)
            if cursor:
                conds.append("o.uscc > :cursor")
                params["cursor"] = cursor
            sql = ("SELECT o.uscc FROM organisation AS o WHERE o.uscc IN (SELECT value FROM json_each(:found)) "
                   f"AND {' AND '.join(conds)} ORDER BY o.uscc LIMIT :limit")
            return list((await session.execute(text(sql), params)).scalars())
    conds, params = _conditions(f, sqlite=uses_fts(session))
    if f.q:  # one character or a dense part on SQLite; PostgreSQL (pg_trgm serves LIKE from 3 characters up)
        conds.append("o.name_normalised LIKE :pattern ESCAPE '\\'")
        params["pattern"] = _like(f.q)
    if cursor:
        conds.append("o.uscc > :cursor")
        params["cursor"] = cursor
    where = f"WHERE {' AND '.join(conds)}" if conds else ""
    sql = f"SELECT o.uscc FROM organisation AS o {where} ORDER BY o.uscc LIMIT :limit"
    return list((await session.execute(text(sql), {**params, "limit": limit})).scalars())


_NAMES_OF = select(Organisation.uscc, Organisation.name, Organisation.name_normalised).where(
    Organisation.uscc.in_(bindparam("usccs", expanding=True)))  # built once: a hundred keys coerced per call was a
# tenth of a registration's similar-name check


async def names_of(session: AsyncSession, usccs: list[str]) -> list[tuple[str, str, str]]:
    """(USCC, name, name key) of these organisations, in the order given."""
    if not usccs:
        return []
    rows = {r[0]: (r[0], r[1], r[2]) for r in await session.execute(_NAMES_OF, {"usccs": usccs})}
    return [rows[u] for u in usccs if u in rows]


async def load(session: AsyncSession, usccs: list[str]) -> list[Organisation]:
    if not usccs:
        return []
    rows = {o.uscc: o for o in await session.scalars(select(Organisation).where(Organisation.uscc.in_(usccs)))}
    return [rows[u] for u in usccs if u in rows]
