"""Bulk export (CSV with BOM, JSON Lines) in USCC order, public fields only, streamed in chunks; the columns are
the import columns, so an export can be imported elsewhere."""

from __future__ import annotations

import csv
import io
from collections.abc import AsyncIterator

import orjson
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from yishe_kit.principal import Principal

from ..access import require_role
from ..organisation.models import Organisation
from .parse import COLUMNS
from .schemas import ExportFormat

CHUNK = 5000


def _row(o: Organisation) -> dict:
    return {"uscc": o.uscc, "name": o.name, "org_type": o.org_type, "division_code": o.division_code,
            "address": o.address, "legal_representative": o.legal_rep_name, "business_scope": o.business_scope,
            "supervisory_unit": o.supervisory_unit or "", "status": o.status,
            "registration_date": o.registration_date.isoformat(),
            "activity_funds": str(o.activity_funds) if o.activity_funds is not None else "",
            "sector": o.sector or "", "category": o.category or "", "community_class": o.community_class or "",
            "grade": o.grade or ""}


def authorise(principal: Principal) -> None:
    require_role(principal, "staff", "internal", action_zh="批量导出", action_en="export in bulk")


async def stream(sessionmaker: async_sessionmaker[AsyncSession], fmt: ExportFormat, *, division: str | None,
                 status: str | None, org_type: str | None) -> AsyncIterator[bytes]:
    """Own session per export: the response outlives the request's session."""
    if fmt == ExportFormat.CSV:
        buf = io.StringIO()
        csv.writer(buf).writerow([*COLUMNS, "grade"])
        yield ("\ufeff" + buf.getvalue()).encode()
    cursor = ""
    while True:
        async with sessionmaker() as session:
            stmt = select(Organisation).where(Organisation.uscc > cursor)
            if division:
                stmt = stmt.where(Organisation.division_code.startswith(division, autoescape=True))
            if status:
                stmt = stmt.where(Organisation.status == status)
            if org_type:
                stmt = stmt.where(Organisation.org_type == org_type)
            orgs = list((await session.scalars(stmt.order_by(Organisation.uscc).limit(CHUNK))).all())
        if not orgs:
            return
        cursor = orgs[-1].uscc
        if fmt == ExportFormat.CSV:
            buf = io.StringIO()
            writer = csv.writer(buf)
            for o in orgs:
                writer.writerow(list(_row(o).values()))
            yield buf.getvalue().encode()
        else:
            yield b"".join(orjson.dumps(_row(o)) + b"\n" for o in orgs)
