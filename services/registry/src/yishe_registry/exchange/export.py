"""Bulk export (CSV with BOM, JSON Lines) in USCC order, public fields only, streamed in chunks; the columns are
the import columns, so an export can be imported elsewhere.

CSV is for people by default (opens in Excel): Chinese column names (the import's Chinese headers) and Chinese
labels for the status (`正常`, `注销`, …; the type, category and class values are Chinese terms already);
`labels=en` gives the machine form (English column names, status codes). JSON Lines is always the machine form."""

from __future__ import annotations

import csv
import io
from collections.abc import AsyncIterator

import orjson
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from yishe_kit.access import listing_prefix, require_role
from yishe_kit.principal import Principal

from ..kinds import STATUS_LABELS
from ..organisation.models import Organisation
from .parse import COLUMNS
from .schemas import ExportFormat, ExportLabels

# The import reads every one of these headers back (parse.ALIASES), so a Chinese export re-imports as it is.
COLUMNS_ZH = {"uscc": "统一社会信用代码", "name": "名称", "org_type": "组织类型",
              "division_code": "登记管理机关区划代码", "address": "住所", "legal_representative": "法定代表人",
              "business_scope": "业务范围", "supervisory_unit": "业务主管单位", "status": "登记状态",
              "registration_date": "成立登记日期", "activity_funds": "活动资金", "sector": "行业",
              "category": "直接登记类别", "community_class": "社区社会组织类型", "grade": "评估等级"}
STATUS_ZH = {status.value: label for status, label in STATUS_LABELS.items()}

CHUNK = 5000


def _row(o: Organisation) -> dict:
    return {"uscc": o.uscc, "name": o.name, "org_type": o.org_type, "division_code": o.division_code,
            "address": o.address, "legal_representative": o.legal_rep_name, "business_scope": o.business_scope,
            "supervisory_unit": o.supervisory_unit or "", "status": o.status,
            "registration_date": o.registration_date.isoformat(),
            "activity_funds": str(o.activity_funds) if o.activity_funds is not None else "",
            "sector": o.sector or "", "category": o.category or "", "community_class": o.community_class or "",
            "grade": o.grade or ""}


def authorise(principal: Principal, division: str | None) -> str | None:
    """Staff and internal only; the division prefix the export keeps to (AUTH-2: a district account exports its
    district, asking for another is refused)."""
    require_role(principal, "staff", "internal", action_zh="批量导出", action_en="export in bulk")
    return listing_prefix(principal, division)


def _labelled(row: dict) -> dict:
    return {**row, "status": STATUS_ZH.get(row["status"], row["status"])}


def file_name(fmt: ExportFormat, labels: ExportLabels, today: str) -> tuple[str, str]:
    """(ASCII fallback, the name a person sees): `Content-Disposition` carries both (RFC 6266 `filename*`)."""
    ascii_name = f"organisations-{today}.{fmt.value}"
    if fmt == ExportFormat.CSV and labels == ExportLabels.ZH:
        return ascii_name, f"社会组织登记信息-{today}.{fmt.value}"
    return ascii_name, ascii_name


async def stream(sessionmaker: async_sessionmaker[AsyncSession], fmt: ExportFormat, *, division: str | None,
                 status: str | None, org_type: str | None,
                 labels: ExportLabels = ExportLabels.ZH) -> AsyncIterator[bytes]:
    """Own session per export: the response outlives the request's session."""
    chinese = fmt == ExportFormat.CSV and labels == ExportLabels.ZH
    if fmt == ExportFormat.CSV:
        buf = io.StringIO()
        header = [*COLUMNS, "grade"]
        csv.writer(buf).writerow([COLUMNS_ZH[c] for c in header] if chinese else header)
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
                writer.writerow(list((_labelled(_row(o)) if chinese else _row(o)).values()))
            yield buf.getvalue().encode()
        else:
            yield b"".join(orjson.dumps(_row(o)) + b"\n" for o in orgs)
