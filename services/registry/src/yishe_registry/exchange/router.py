from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import StreamingResponse

from yishe_kit.principal import PrincipalDep

from ..deps import OutboxDep, SessionDep, TodayDep
from . import export, feed, importer
from .schemas import ExportFormat, FeedPage, ImportFormat, ImportReport

router = APIRouter(prefix="/exchange", tags=["exchange"])
FormatQuery = Annotated[ImportFormat, Query(description="csv, xlsx or jsonl")]
SourceQuery = Annotated[str, Query(min_length=1, max_length=200, description="where the file is from")]
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
    return await importer.run(session, body, format, source, dry_run, principal, outbox,
                              request.app.state.settings.import_chunk_rows, today)


@router.get("/export", responses={200: {"content": {"text/csv": {}, "application/x-ndjson": {}}}, 403: {}})
async def export_records(request: Request, principal: PrincipalDep,
                         format: ExportFormat = ExportFormat.CSV,
                         division: str | None = Query(None, max_length=6), status: str | None = None,
                         org_type: str | None = None) -> StreamingResponse:
    """Export organisations (public fields) as CSV with BOM or JSON Lines, streamed in USCC order."""
    export.authorise(principal)
    body = export.stream(request.app.state.sessionmaker, format, division=division, status=status, org_type=org_type)
    return StreamingResponse(body, media_type=MEDIA[format], headers={
        "content-disposition": f'attachment; filename="organisations.{format.value}"'})


@router.get("/feed", response_model=FeedPage, responses={403: {}})
async def change_feed(request: Request, session: SessionDep, principal: PrincipalDep, cursor: int = Query(0, ge=0),
                      limit: int = Query(500, ge=1, le=5000)) -> FeedPage:
    """Every change to every organisation after `cursor`, oldest first: poll with the returned `next_cursor`."""
    return await feed.page(session, principal, cursor, limit, request.app.state.settings.feed_settle_seconds)
