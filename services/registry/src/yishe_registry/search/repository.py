"""Queries of the search read side (it reads the organisation table; writes only its own `name_gram`)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import delete, func, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from ..organisation.models import Organisation
from .models import NameGram

GRAM_COUNT_CAP = 3000
MAX_GRAMS_PROBED = 12


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


def grams_of(name_key: str) -> set[str]:
    return {name_key[i:i + 2] for i in range(len(name_key) - 1)}


def uses_grams(session: AsyncSession) -> bool:
    return session.bind.dialect.name == "sqlite"


def _like(value: str) -> str:
    return "%" + value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


async def add_grams(session: AsyncSession, rows: Iterable[tuple[str, str]]) -> None:
    """rows: (uscc, name key). One executemany (bulk import calls this with thousands of rows)."""
    # Sorted by key: B-tree inserts then walk the index in order instead of jumping around it.
    params = sorted((g, uscc) for uscc, k in rows for g in grams_of(k))
    if params:
        conn = await session.connection()
        await conn.exec_driver_sql("INSERT OR IGNORE INTO name_gram (gram, uscc) VALUES (?, ?)", params)


async def remove_grams(session: AsyncSession, uscc: str, name_key: str) -> None:
    grams = grams_of(name_key)
    if grams:
        await session.execute(delete(NameGram).where(NameGram.uscc == uscc, NameGram.gram.in_(grams)))


async def _rarest_gram(session: AsyncSession, name_key: str) -> tuple[str, int]:
    grams = sorted(grams_of(name_key))
    step = max(1, len(grams) // MAX_GRAMS_PROBED)
    best: tuple[str, int] | None = None
    for g in grams[::step][:MAX_GRAMS_PROBED]:
        capped = select(NameGram.gram).where(NameGram.gram == g).limit(GRAM_COUNT_CAP).subquery()
        n = await session.scalar(select(func.count()).select_from(capped))
        if best is None or n < best[1]:
            best = (g, n)
        if n == 0:
            break
    assert best is not None
    return best


def _conditions(f: Filters, alias: str = "o") -> tuple[list[str], dict]:
    conds, params = [], {}
    for field in ("org_type", "status", "grade", "community_class", "sector_key"):
        value = getattr(f, field)
        if value is not None:
            conds.append(f"{alias}.{field} = :{field}")
            params[field] = value
    if f.industry_association is not None:
        conds.append(f"{alias}.is_industry_association = :ia")
        params["ia"] = f.industry_association
    if f.division:
        conds.append(f"{alias}.division_code LIKE :division ESCAPE '\\'")
        params["division"] = f.division.replace("%", "").replace("_", "") + "%"
    return conds, params


async def find_usccs(session: AsyncSession, f: Filters, cursor: str | None, limit: int) -> list[str]:
    """USCCs matching the filters in USCC order after `cursor`, at most `limit`."""
    if f.q and len(f.q) >= 2 and uses_grams(session):
        gram, count = await _rarest_gram(session, f.q)
        if count == 0:
            return []
        conds, params = _conditions(f)
        conds.append("o.name_normalised LIKE :pattern ESCAPE '\\'")
        params.update(gram=gram, pattern=_like(f.q), limit=limit)
        if cursor:
            conds.append("g.uscc > :cursor")
            params["cursor"] = cursor
        # CROSS JOIN keeps name_gram as the outer loop: walk one posting list in USCC order, stop at `limit`.
        sql = ("SELECT g.uscc FROM name_gram AS g CROSS JOIN organisation AS o "
               f"WHERE g.gram = :gram AND o.uscc = g.uscc AND {' AND '.join(conds)} ORDER BY g.uscc LIMIT :limit")
        return list((await session.execute(text(sql), params)).scalars())
    conds, params = _conditions(f)
    if f.q:  # one character on SQLite, or PostgreSQL (pg_trgm serves LIKE from 3 characters up)
        conds.append("o.name_normalised LIKE :pattern ESCAPE '\\'")
        params["pattern"] = _like(f.q)
    if cursor:
        conds.append("o.uscc > :cursor")
        params["cursor"] = cursor
    where = f"WHERE {' AND '.join(conds)}" if conds else ""
    sql = f"SELECT o.uscc FROM organisation AS o {where} ORDER BY o.uscc LIMIT :limit"
    return list((await session.execute(text(sql), {**params, "limit": limit})).scalars())


async def load(session: AsyncSession, usccs: list[str]) -> list[Organisation]:
    if not usccs:
        return []
    rows = {o.uscc: o for o in await session.scalars(select(Organisation).where(Organisation.uscc.in_(usccs)))}
    return [rows[u] for u in usccs if u in rows]
