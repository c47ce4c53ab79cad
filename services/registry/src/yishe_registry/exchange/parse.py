"""Reading the three import formats into dicts with canonical column names (English or Chinese headers)."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator
from contextlib import suppress
from datetime import date, datetime
from decimal import Decimal
from typing import BinaryIO

from .schemas import ImportFormat

COLUMNS = ("uscc", "name", "org_type", "division_code", "address", "legal_representative", "business_scope",
           "supervisory_unit", "status", "registration_date", "activity_funds", "sector", "category",
           "community_class")
ALIASES = {"统一社会信用代码": "uscc", "名称": "name", "组织名称": "name", "类型": "org_type", "组织类型": "org_type",
           "登记管理机关区划代码": "division_code", "行政区划代码": "division_code", "住所": "address",
           "法定代表人": "legal_representative", "业务范围": "business_scope", "业务主管单位": "supervisory_unit",
           "状态": "status", "登记状态": "status", "成立登记日期": "registration_date", "登记日期": "registration_date",
           "活动资金": "activity_funds", "注册资金": "activity_funds", "行业": "sector", "直接登记类别": "category",
           "社区社会组织类型": "community_class"}


class FormatError(ValueError):
    pass


def _column(name: object) -> str:
    text = str(name or "").strip().lstrip("\ufeff")
    return ALIASES.get(text, text.lower())


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, float | Decimal):
        return str(value)
    return str(value).strip()


def rows(body: bytes | BinaryIO, fmt: ImportFormat) -> Iterator[dict[str, str]]:
    """Yield each data row as {column: text}; raise FormatError for an unreadable file or a missing header. `body`:
    the bytes, or a binary file (an upload spooled to disk), read as it goes — never whole into memory."""
    if fmt == ImportFormat.XLSX:
        yield from _xlsx(body)
    elif fmt == ImportFormat.CSV:
        if isinstance(body, bytes | bytearray):
            try:
                stream: Iterable[str] = io.StringIO(body.decode("utf-8-sig"), newline="")
            except UnicodeDecodeError as exc:
                raise FormatError("CSV must be UTF-8 (with or without BOM)") from exc
        else:
            stream = _utf8_lines(body)
        reader = csv.reader(stream)
        try:
            header = next(reader, None)
        except csv.Error as exc:
            raise FormatError(f"CSV header: {exc}") from exc
        if not header:
            raise FormatError("the CSV has no header row")
        cols = [_column(h) for h in header]
        _require(cols)
        try:
            for values in reader:
                if any(v.strip() for v in values):
                    yield {c: (values[i].strip() if i < len(values) else "") for i, c in enumerate(cols)}
        except csv.Error as exc:  # e.g. a field over the csv module's size limit: the file cannot be read
            raise FormatError(f"CSV line {reader.line_num}: {exc}") from exc
    else:
        lines = (body.decode("utf-8-sig", errors="strict").splitlines() if isinstance(body, bytes | bytearray)
                 else _utf8_lines(body))
        for n, line in enumerate(lines, start=1):
            if not line.strip():
                continue
            try:
                obj = json.loads(line)
            except (ValueError, RecursionError):  # not JSON, a number beyond int's digit limit, nested too deep
                yield {"__error__": f"line {n} is not JSON"}
                continue
            yield ({_column(k): _cell(v) for k, v in obj.items()} if isinstance(obj, dict)
                   else {"__error__": f"line {n} is not an object"})


def _utf8_lines(f: BinaryIO) -> Iterator[str]:
    """A binary file's lines as text (UTF-8, a leading BOM dropped); a byte that is not UTF-8 is a FormatError."""
    text = io.TextIOWrapper(f, encoding="utf-8-sig", newline="")
    try:
        yield from text
    except UnicodeDecodeError as exc:
        raise FormatError("the file must be UTF-8 (with or without BOM)") from exc
    finally:
        with suppress(ValueError):  # the file may be closed already (the import ended before reading it all)
            text.detach()


def _require(cols: list[str]) -> None:
    missing = [c for c in ("uscc", "name", "org_type", "division_code", "registration_date") if c not in cols]
    if missing:
        raise FormatError(f"missing columns: {', '.join(missing)}")


def _xlsx(body: bytes | BinaryIO) -> Iterator[dict[str, str]]:
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(body) if isinstance(body, bytes | bytearray) else body, read_only=True,
                             data_only=True)
    except Exception as exc:  # openpyxl raises many types for a broken file
        raise FormatError("not a readable XLSX workbook") from exc
    sheet = book.worksheets[0]
    it = sheet.iter_rows(values_only=True)
    header = next(it, None)
    if not header:
        raise FormatError("the sheet has no header row")
    cols = [_column(h) for h in header]
    _require(cols)
    try:
        for values in it:
            if values and any(v not in (None, "") for v in values):
                yield {c: _cell(values[i]) if i < len(values) else "" for i, c in enumerate(cols)}
    except Exception as exc:  # a sheet broken part-way (openpyxl raises many types)
        raise FormatError(f"the sheet cannot be read past a row: {exc}") from exc
    finally:
        book.close()
