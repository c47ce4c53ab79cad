from __future__ import annotations

from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import Response, StreamingResponse

from yishe_kit.errors import NotFound
from yishe_kit.jobs import JobRead, accepted
from yishe_kit.principal import PrincipalDep

from ..deps import OutboxDep, SessionDep, TodayDep
from . import export, feed, importer
from . import jobs as import_jobs
from .schemas import ExportFormat, ExportLabels, FeedPage, ImportFormat, ImportReport

router = APIRouter(prefix="/exchange", tags=["exchange"])
FormatQuery = Annotated[ImportFormat, Query(description="csv, xlsx or jsonl")]
SourceQuery = Annotated[str, Query(min_length=1, max_length=200, description="where the file is from")]
LabelsQuery = Annotated[ExportLabels, Query(description=(
    "CSV only: `zh` (default) Chinese column names and status labels, for people; `en` English column names and "
    "status codes, for machines. JSON Lines is always the machine form"))]
MEDIA = {ExportFormat.CSV: "text/csv; charset=utf-8", ExportFormat.JSONL: "application/x-ndjson"}


@router.post("/imports", response_model=ImportReport,
             responses={400: {"description": "unreadable file or missing columns"}, 403: {}},
             openapi_extra={"requestBody": {"required": True, "content": {
                 "text/csv": {"schema": {"type": "string"}}, "application/x-ndjson": {"schema": {"type": "string"}},
                 "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {
                     "schema": {"type": "string", "format": "binary"}}}}})
async def import_records(request: Request, session: SessionDep, principal: PrincipalDep, outbox: OutboxDep,
                         today: TodayDep, format: FormatQuery, source: SourceQuery,
                         dry_run: bool = False) -> ImportReport:
    """Import legacy records from the request body (CSV with BOM, XLSX, JSON Lines): a per-row report; re-running
    the same file changes nothing."""
    body = await request.body()
    settings = request.app.state.settings
    return await importer.run(session, body, format, source, dry_run, principal, outbox, settings.import_chunk_rows,
                              today, cache_mib=settings.import_cache_mib)


@router.post("/import-jobs", status_code=202, response_model=JobRead,
             responses={400: {"description": "empty upload"}, 403: {}, 409: {"description": "the same file is being "
                        "imported"}, 413: {"description": "over the upload limit"}},
             openapi_extra={"requestBody": {"required": True, "content": {
                 "text/csv": {"schema": {"type": "string"}}, "application/x-ndjson": {"schema": {"type": "string"}},
                 "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {
                     "schema": {"type": "string", "format": "binary"}}}}})
async def start_import_job(request: Request, principal: PrincipalDep, format: FormatQuery, source: SourceQuery,
                           dry_run: bool = False) -> Response:
    """Import a file of any size as a job (202): the upload is streamed to disk, then imported in the background.
    Follow it at `GET /v1/jobs/{job_id}` (rows done / total, rows/s, ETA, errors so far), cancel it at
    `POST /v1/jobs/{job_id}/cancel`, download its row report at `GET /v1/exchange/import-jobs/{job_id}/report.csv`.
    One transaction: a file refused part-way, a failure or a cancel writes nothing; re-running the same file changes
    nothing (content hash per row)."""
    importer.authorise(principal)
    settings = request.app.state.settings
    upload = await import_jobs.spool(request, settings.import_max_bytes, settings.upload_dir)
    job = await import_jobs.start(request.app, upload, format, source, dry_run, principal)
    return accepted(job, f"/v1/jobs/{job.job_id}")


@router.get("/import-jobs/{job_id}/report.csv", responses={200: {"content": {"text/csv": {}}}, 404: {}})
async def import_job_report(request: Request, principal: PrincipalDep,
                            job_id: Annotated[str, Path(min_length=36, max_length=36)]) -> Response:
    """An import job's row report: CSV with BOM, Chinese headers (行号, 统一社会信用代码, 字段, 规则, 说明)."""
    importer.authorise(principal)
    job = await request.app.state.jobs.get(job_id)
    if job.kind != import_jobs.KIND:
        raise NotFound("job_not_found", f"no import job {job_id}")
    return Response(import_jobs.report_csv(job), media_type="text/csv; charset=utf-8", headers={
        "content-disposition": f"attachment; filename=\"import-{job_id}.csv\"; "
                               f"filename*=UTF-8''%E5%AF%BC%E5%85%A5%E6%8A%A5%E5%91%8A-{job_id}.csv"})


@router.get("/export", responses={200: {"content": {"text/csv": {}, "application/x-ndjson": {}}}, 403: {}})
async def export_records(request: Request, principal: PrincipalDep, today: TodayDep,
                         format: ExportFormat = ExportFormat.CSV,
                         division: str | None = Query(None, max_length=6), status: str | None = None,
                         org_type: str | None = None,
                         labels: LabelsQuery = ExportLabels.ZH) -> StreamingResponse:
    """Export organisations (public fields) as CSV with BOM or JSON Lines, streamed in USCC order, with a file name
    (`Content-Disposition`, UTF-8 `filename*`)."""
    division = export.authorise(principal, division)
    body = export.stream(request.app.state.sessionmaker, format, division=division, status=status, org_type=org_type,
                         labels=labels)
    fallback, name = export.file_name(format, labels, today.isoformat())
    return StreamingResponse(body, media_type=MEDIA[format], headers={
        "content-disposition": f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(name, safe='')}"})


@router.get("/feed", response_model=FeedPage, responses={403: {}})
async def change_feed(request: Request, session: SessionDep, principal: PrincipalDep, cursor: int = Query(0, ge=0),
                      limit: int = Query(500, ge=1, le=5000)) -> FeedPage:
    """Every change to every organisation after `cursor`, oldest first: poll with the returned `next_cursor`."""
    return await feed.page(session, principal, cursor, limit, request.app.state.settings.feed_settle_seconds)
