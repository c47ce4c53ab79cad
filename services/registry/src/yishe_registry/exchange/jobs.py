"""An import as a job (#11): the upload is streamed to a file on disk (never held in memory, its own size limit),
then imported in the background in one transaction — all rows or, on a refusal, a failure or a cancel, none."""

from __future__ import annotations

import csv
import hashlib
import io
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request

from yishe_kit.errors import Problem, ServiceError
from yishe_kit.jobs import JobProgress, JobRead, JobRunner
from yishe_kit.principal import Principal

from . import importer
from .schemas import ImportFormat

KIND = "registry.import"
REPORT_COLUMNS = (("row", "行号"), ("uscc", "统一社会信用代码"), ("field", "字段"), ("rule", "规则"),
                  ("message_zh", "说明"), ("message", "说明（英文）"))


class UploadTooLarge(ServiceError):
    def __init__(self, limit: int):
        super().__init__(code="payload_too_large", status=413, detail=f"the upload exceeds {limit} bytes",
                         problems=[Problem("body", "IMPORT-4", f"上传文件超过 {limit} 字节的上限",
                                           f"the upload exceeds {limit} bytes")])


class EmptyUpload(ServiceError):
    def __init__(self) -> None:
        super().__init__(code="empty_upload", status=400, detail="the upload is empty", problems=[
            Problem("body", "IMPORT-1", "上传的文件为空", "the uploaded file is empty")])


@dataclass(frozen=True)
class Upload:
    path: Path
    sha256: str
    size: int
    lines: int


async def spool(request: Request, limit: int, directory: str | None) -> Upload:
    """Write the request body to a file as it arrives, hashing and counting lines on the way; over `limit` → 413."""
    fd, name = tempfile.mkstemp(prefix="yishe-import-", suffix=".upload", dir=directory)
    path, digest, size, lines = Path(name), hashlib.sha256(), 0, 0
    try:
        with os.fdopen(fd, "wb") as out:
            async for chunk in request.stream():
                size += len(chunk)
                if size > limit:
                    raise UploadTooLarge(limit)
                digest.update(chunk)
                lines += chunk.count(b"\n")
                out.write(chunk)
        if size == 0:
            raise EmptyUpload()
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    return Upload(path, digest.hexdigest(), size, lines)


async def start(app: FastAPI, upload: Upload, fmt: ImportFormat, source: str, dry_run: bool,
                principal: Principal) -> JobRead:
    """Queue the import of a spooled upload; the same file while it is still being imported is a 409."""
    runner: JobRunner = app.state.jobs
    settings = app.state.settings
    total = max(upload.lines - 1, 0) if fmt != ImportFormat.XLSX else None  # CSV/JSONL: about one row a line

    async def work(progress: JobProgress) -> dict[str, Any]:
        today = app.state.clock.today()
        with upload.path.open("rb") as f:
            async with app.state.sessionmaker() as session:
                report = await importer.run(session, f, fmt, source, dry_run, principal, app.state.outbox,
                                            settings.import_chunk_rows, today, sha=upload.sha256, progress=progress,
                                            cache_mib=settings.import_cache_mib)
                progress.check()
                await session.commit()
        progress.total = report.rows
        return report.model_dump(mode="json")

    async def cleanup() -> None:
        upload.path.unlink(missing_ok=True)

    try:
        return await runner.start(KIND, work, actor=f"{principal.role}:{principal.actor}",
                                  key=f"import:{upload.sha256}:{'dry' if dry_run else 'write'}", total=total,
                                  params={"format": fmt.value, "source": source, "dry_run": dry_run,
                                          "sha256": upload.sha256, "bytes": upload.size},
                                  on_finish=cleanup)
    except BaseException:
        upload.path.unlink(missing_ok=True)
        raise


def report_csv(job: JobRead) -> bytes:
    """The job's row report as CSV with BOM and Chinese headers (first 1,000 row errors, as in the report)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([zh for _, zh in REPORT_COLUMNS])
    for err in (job.result or {}).get("errors", []):
        writer.writerow(["" if err.get(k) is None else err.get(k) for k, _ in REPORT_COLUMNS])
    return ("\ufeff" + out.getvalue()).encode()
