"""Bulk import of activities (CSV with or without BOM, Chinese or English headers; JSON Lines). Row by row: each row
is checked like a single activity (PLAT-5) and written or reported; a row with a `ref` already imported is unchanged,
so re-running the same file changes nothing. Long files run as a job (202 + progress + cancel)."""

from __future__ import annotations

import csv
import io
import json
import unicodedata
from typing import Any

from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from yishe_kit.access import in_jurisdiction, require_role
from yishe_kit.clock import Clock
from yishe_kit.errors import InvalidInput, Problem
from yishe_kit.jobs import JobProgress, JobRunner
from yishe_kit.principal import Principal

from ..deps import WRITERS
from . import service
from .schemas import ActivityCreate, ImportReport, RowError

HEADERS = {"统一社会信用代码": "uscc", "备案编号": "filing_no", "活动日期": "activity_date", "活动类型": "kind",
           "活动名称": "title", "参与人数": "participants", "其中居民人数": "residents", "居民人数": "residents",
           "编号": "ref"}
CHUNK = 200


def _norm(text: str) -> str:
    return unicodedata.normalize("NFKC", text).strip()


def parse(body: bytes, fmt: str) -> list[dict[str, Any]]:
    """Rows as dicts with English keys; 400 when the file cannot be read."""
    try:
        text = body.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InvalidInput("unreadable_file", "the file is not UTF-8", [Problem(
            "body", "IMPORT-1", "文件不是UTF-8编码", "the file is not UTF-8")]) from exc
    rows: list[dict[str, Any]] = []
    if fmt == "jsonl":
        for n, line in enumerate(text.splitlines(), start=1):
            if not line.strip():
                continue
            try:
                item = json.loads(line)
            except json.JSONDecodeError as exc:
                raise InvalidInput("unreadable_file", f"line {n} is not JSON", [Problem(
                    "body", "IMPORT-1", f"第{n}行不是有效的JSON", f"line {n} is not valid JSON")]) from exc
            rows.append({HEADERS.get(_norm(k), _norm(k)): v for k, v in item.items()} if isinstance(item, dict)
                        else {"_invalid": True})
        return rows
    reader = csv.DictReader(io.StringIO(text))
    fields = [HEADERS.get(_norm(h or ""), _norm(h or "")) for h in (reader.fieldnames or [])]
    missing = {"activity_date", "kind", "participants", "residents"} - set(fields)
    if missing or not ({"uscc", "filing_no"} & set(fields)):
        raise InvalidInput("missing_columns", "required columns are missing", [Problem(
            "body", "IMPORT-1", f"缺少必需的列：{'、'.join(sorted(missing)) or '统一社会信用代码或备案编号'}",
            f"missing columns: {', '.join(sorted(missing)) or 'uscc or filing_no'}")])
    for raw in csv.reader(io.StringIO(text)):
        rows.append(dict(zip(fields, (_norm(v) for v in raw), strict=False)))
    return rows[1:]


def _row(n: int, field: str | None, rule: str | None, zh: str, en: str) -> RowError:
    return RowError(row=n, field=field, rule=rule, message_zh=zh, message=en)


async def import_rows(session: AsyncSession, principal: Principal, rows: list[dict[str, Any]], start: int,
                      clock: Clock) -> tuple[int, int, list[RowError]]:
    """Check and write rows (numbered from `start`, 1 = the first data row); (imported, unchanged, errors)."""
    today = clock.today()
    imported = unchanged = 0
    errors: list[RowError] = []
    for offset, raw in enumerate(rows):
        n = start + offset
        try:
            body = ActivityCreate.model_validate({k: (v if v != "" else None) for k, v in raw.items()
                                                  if k in ActivityCreate.model_fields})
        except ValidationError as exc:
            e = exc.errors()[0]
            field = ".".join(str(p) for p in e["loc"]) or None
            errors.append(_row(n, field, "IMPORT-1", f"第{n}行字段{field}不符合要求：{e['msg']}", e["msg"]))
            continue
        problems = service.check_values(body, today)
        owner = None
        if not problems:
            owner = await service.owner_of(session, body)
            if isinstance(owner, Problem):
                problems = [owner]
        if problems:
            errors.extend(_row(n, p.field, p.rule, f"第{n}行：{p.message_zh}", p.message_en) for p in problems)
            continue
        assert owner is not None and not isinstance(owner, Problem)
        if principal.role == "org" and principal.actor != owner.uscc:
            errors.append(_row(n, "uscc", "AUTH-1", f"第{n}行：社会组织账号只能记录本组织的活动",
                               "an organisation account records only its own activities"))
            continue
        if principal.role != "org" and not in_jurisdiction(principal, owner.township_code or owner.division_code):
            errors.append(_row(n, "uscc", "AUTH-2", f"第{n}行：该组织不在您的管辖范围内",
                               "the organisation is outside your jurisdiction"))
            continue
        if await service._existing(session, owner.key, body.ref) is not None:
            unchanged += 1
            continue
        session.add(service._new(body, owner, principal, clock))
        await session.flush()
        imported += 1
    return imported, unchanged, errors


async def run(session: AsyncSession, app: Any, principal: Principal, body: bytes, fmt: str, *, clock: Clock,
              sync_rows: int) -> ImportReport:
    """Up to `sync_rows` rows: imported in the request's transaction. More: a kit job (`GET /v1/jobs/{job_id}`,
    `POST /v1/jobs/{job_id}/cancel`) that commits chunk by chunk (what it committed stays when cancelled); its
    result is the same report."""
    require_role(principal, *WRITERS, "org", action_zh="批量导入社区社会组织活动", action_en="import activities")
    rows = parse(body, fmt)
    if len(rows) <= sync_rows:
        imported, unchanged, errors = await import_rows(session, principal, rows, 1, clock)
        return ImportReport(rows=len(rows), imported=imported, unchanged=unchanged, errors=errors)
    sessionmaker: async_sessionmaker[AsyncSession] = app.state.sessionmaker

    async def work(progress: JobProgress) -> dict[str, Any]:
        imported = unchanged = 0
        errors: list[RowError] = []
        for start in range(0, len(rows), CHUNK):
            progress.check()
            async with sessionmaker() as chunk_session:
                i, u, e = await import_rows(chunk_session, principal, rows[start:start + CHUNK], start + 1, clock)
                await chunk_session.commit()
            imported, unchanged, errors = imported + i, unchanged + u, errors + e
            progress.advance(done=i + u, failed=len({err.row for err in e}))
        return ImportReport(rows=len(rows), imported=imported, unchanged=unchanged, errors=errors).model_dump(
            mode="json")

    runner: JobRunner = app.state.jobs
    job = await runner.start("activity_import", work, actor=principal.actor, total=len(rows),
                             params={"format": fmt, "rows": len(rows)})
    return ImportReport(rows=len(rows), imported=0, unchanged=0, errors=[], job_id=job.job_id)
