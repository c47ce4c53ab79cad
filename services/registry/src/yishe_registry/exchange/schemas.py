from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, Field


class ImportFormat(StrEnum):
    CSV = "csv"
    XLSX = "xlsx"
    JSONL = "jsonl"


class ExportFormat(StrEnum):
    CSV = "csv"
    JSONL = "jsonl"


class ExportLabels(StrEnum):
    """CSV headers and status values: Chinese for people (default), English codes for machines."""

    ZH = "zh"
    EN = "en"


class RowError(BaseModel):
    row: int = Field(description="1-based data row (after the header)")
    uscc: str | None
    field: str | None
    rule: str | None
    message_zh: str
    message: str


class ImportReport(BaseModel):
    batch_id: int | None
    source: str
    format: str
    sha256: str
    dry_run: bool
    rows: int
    created: int
    updated: int
    unchanged: int
    failed: int
    errors: list[RowError] = Field(description="first 1,000 row errors")
    at: datetime | None = None


class FeedItem(BaseModel):
    id: int
    uscc: str
    action: str
    at: datetime
    changes: dict | None
    reason: str | None


class FeedPage(BaseModel):
    items: list[FeedItem]
    next_cursor: int = Field(description="pass back as `cursor`; unchanged when nothing new")
