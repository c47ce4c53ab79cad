"""Bulk import of legacy records: validated row by row, compared by content hash (re-runs change nothing), written
in chunks with provenance (batch, source, row) in each record's history; events for live records."""

from __future__ import annotations

import asyncio
import hashlib
import sqlite3
import threading
from collections.abc import Iterable, Iterator
from contextlib import suppress
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from decimal import Decimal
from itertools import islice
from typing import BinaryIO

from sqlalchemy.ext.asyncio import AsyncSession

from yishe_contracts.events.common import OrgType
from yishe_contracts.events.registry import OrganisationRegistered, OrganisationsImported, OrganisationStatus
from yishe_kit.access import require_role
from yishe_kit.bulk import bulk_cache
from yishe_kit.errors import Problem
from yishe_kit.jobs import JobProgress
from yishe_kit.outbox import Outbox
from yishe_kit.principal import Principal

from ..change import service as change_service
from ..errors import Refused
from ..kinds import TERMINAL_STATUSES, DirectCategory
from ..lifecycle import service as lifecycle_service
from ..name import rules as name_rules
from ..name import service as name_service
from ..name.exceptions import NameTaken
from ..organisation import service as organisation_service
from ..organisation.models import Organisation
from ..search import service as search_service
from . import parse, rows
from .models import ImportBatch
from .rows import Record
from .schemas import ImportFormat, ImportReport, RowError

MAX_ERRORS = 1000
LIVE = ("active", "suspended")
TERMINAL = {s.value for s in TERMINAL_STATUSES}


def _chunks(it: Iterable, size: int) -> Iterator[list]:
    it = iter(it)
    while chunk := list(islice(it, size)):
        yield chunk


class _Run:
    """The report of one import as it is written (the event loop's side; `_Checker` owns the file-level checks)."""

    def __init__(self, batch_id: int | None, source: str, principal: Principal, today: date):
        self.batch_id, self.source, self.principal, self.today = batch_id, source, principal, today
        self.rows = self.created = self.updated = self.unchanged = self.failed = 0
        self.errors: list[RowError] = []
        self.progress: JobProgress | None = None

    def fail(self, errs: list[RowError]) -> None:
        self.failed += 1
        self.errors.extend(errs[: max(0, MAX_ERRORS - len(self.errors))])

    def error(self, rec: rows.Record, field: str, rule: str, zh: str, en: str) -> None:
        self.fail([_row_error(rec, field, rule, zh, en)])


def authorise(principal: Principal) -> None:
    require_role(principal, "staff", "internal", action_zh="导入历史数据", action_en="import legacy records")


async def run(session: AsyncSession, body: bytes | BinaryIO, fmt: ImportFormat, source: str, dry_run: bool,
              principal: Principal, outbox: Outbox, chunk_rows: int, today: date, *, sha: str | None = None,
              progress: JobProgress | None = None, cache_mib: int) -> ImportReport:
    """IMPORT-1 [P]: each row is validated by rule; valid rows are written, invalid ones reported by row number.
    `body`: the file's bytes or an open binary file (then `sha`, its SHA-256, is given); `progress`: the job's, told
    after every chunk and checked for a cancel (which raises JobCancelled: the caller's transaction rolls back);
    `cache_mib`: SQLite's page cache while it runs (the setting `import_cache_mib`)."""
    authorise(principal)
    if sha is None:
        assert isinstance(body, bytes | bytearray)
        sha = hashlib.sha256(body).hexdigest()
    data = parse.rows(body, fmt)
    try:
        first = list(islice(data, chunk_rows))
    except (parse.FormatError, UnicodeDecodeError) as exc:
        raise Refused([Problem("body", "IMPORT-1", f"文件无法读取：{exc}", f"the file cannot be read: {exc}")]) from exc
    async with bulk_cache(session, cache_mib):
        return await _run(session, sha, fmt, source, dry_run, principal, outbox, chunk_rows, today, first, data,
                          progress)


async def _run(session: AsyncSession, sha: str, fmt: ImportFormat, source: str, dry_run: bool, principal: Principal,
               outbox: Outbox, chunk_rows: int, today: date, first: list, data: Iterator,
               progress: JobProgress | None) -> ImportReport:
    batch = None
    if not dry_run:
        batch = ImportBatch(source=source, format=fmt.value, sha256=sha, actor=principal.actor,
                            actor_role=principal.role, at=datetime.now(UTC), dry_run=False, rows=0, created=0,
                            updated=0, unchanged=0, failed=0)
        session.add(batch)
        await session.flush()
    r = _Run(batch.batch_id if batch else None, source, principal, today)
    r.progress = progress
    await _write_all(session, _chunks(_concat(first, data), chunk_rows), r, dry_run, outbox)
    r.errors.sort(key=lambda e: e.row)
    if batch is not None:
        batch.rows, batch.created, batch.updated, batch.unchanged, batch.failed = (
            r.rows, r.created, r.updated, r.unchanged, r.failed)
        batch.errors = [e.model_dump() for e in r.errors] or None
    return ImportReport(batch_id=r.batch_id, source=source, format=fmt.value, sha256=sha, dry_run=dry_run,
                        rows=r.rows, created=r.created, updated=r.updated, unchanged=r.unchanged, failed=r.failed,
                        errors=r.errors, at=batch.at if batch else None)


def _concat(first: list, rest: Iterator) -> Iterator:
    yield from first
    yield from rest


@dataclass
class _Checked:
    """One chunk after the checks that need no database: valid records (with their rows ready to insert, should
    they be new) and the failed rows' errors."""

    rows: int = 0
    records: list[Record] = field(default_factory=list)
    failures: list[list[RowError]] = field(default_factory=list)
    prepared: dict[str, tuple[dict, dict, OrganisationRegistered | None]] = field(default_factory=dict)


class _Seen:
    """What the file has shown so far, for IMPORT-2 (each USCC once) and REG-6 (each live name once, its first holder
    keeps it). Kept in a private temporary SQLite database (SQLite's temp directory, on disk past a 4 MiB cache,
    deleted on close), not in Python sets: a 1,000,000-row file's USCCs and name keys are ~300 MB as str objects,
    here a few MB of the process's memory whatever the file's size. Used from one worker thread at a time; `close`
    waits for a look-up still running there (a cancelled job stops awaiting its check, the thread goes on)."""

    PART = 500  # keys per IN (…) look-up, well below SQLite's limit on bound parameters

    def __init__(self) -> None:
        self.db = sqlite3.connect("", check_same_thread=False, isolation_level=None)
        self.lock = threading.Lock()
        self.db.execute("PRAGMA cache_size = -4096")
        # No rollback journal: a throwaway file written only between checks that already deduped its keys. The
        # journal's copies of every page a chunk touched doubled the cost (bench: 32 -> 15 µs a row at 1,000,000).
        self.db.execute("PRAGMA journal_mode = OFF")
        self.db.execute("CREATE TABLE uscc (uscc TEXT PRIMARY KEY) WITHOUT ROWID")
        self.db.execute("CREATE TABLE name (key TEXT PRIMARY KEY, uscc TEXT NOT NULL) WITHOUT ROWID")

    def known(self, usccs: list[str], keys: list[str]) -> tuple[set[str], dict[str, str]]:
        """Which of these USCCs the file has shown before, and the first live holder of each of these names."""
        seen: set[str] = set()
        holders: dict[str, str] = {}
        with self.lock:
            for part in _chunks(usccs, self.PART):
                seen.update(u for (u,) in self.db.execute(
                    f"SELECT uscc FROM uscc WHERE uscc IN ({','.join('?' * len(part))})", part))
            for part in _chunks(keys, self.PART):
                holders.update(self.db.execute(
                    f"SELECT key, uscc FROM name WHERE key IN ({','.join('?' * len(part))})", part))
        return seen, holders

    def add(self, usccs: list[str], names: dict[str, str]) -> None:
        with self.lock:
            self.db.execute("BEGIN")
            self.db.executemany("INSERT INTO uscc VALUES (?)", ((u,) for u in usccs))
            self.db.executemany("INSERT INTO name VALUES (?, ?)", names.items())
            self.db.execute("COMMIT")

    def close(self) -> None:
        with self.lock:
            self.db.close()


class _Checker:
    """Row validation (IMPORT-1), duplicates within the file (IMPORT-2, REG-6) and the insert rows, for one chunk at
    a time in a worker thread (see `_write_all` for when it overlaps the writes)."""

    def __init__(self, r: _Run):
        self.r, self.n = r, 0
        self.prefix = r.principal.division_prefix if r.principal.role == "staff" else ""
        self.seen = _Seen()

    def check(self, chunk: list[dict], now: datetime) -> _Checked:
        out = _Checked(rows=len(chunk))
        valid: list[Record] = []
        for raw in chunk:
            self.n += 1
            rec, errs = rows.validate(self.n, raw, self.prefix, self.r.today)
            if rec is None:
                out.failures.append(errs)
            else:
                valid.append(rec)
        seen_uscc, seen_key = self.seen.known([rec.uscc for rec in valid],
                                              [rec.key for rec in valid if rec.values["status"] not in TERMINAL])
        new_uscc: list[str] = []
        new_key: dict[str, str] = {}
        for rec in valid:  # in the file's order: each row is checked against every row before it
            if rec.uscc in seen_uscc:
                out.failures.append([_row_error(rec, "uscc", "IMPORT-2", "文件中统一社会信用代码重复",
                                                "the USCC appears twice in the file")])
            elif rec.values["status"] not in TERMINAL and seen_key.get(rec.key, rec.uscc) != rec.uscc:
                out.failures.append([_row_error(rec, "name", "REG-6", "文件中有同名的存续组织",
                                                "two live organisations in the file share a name")])
            else:
                seen_uscc.add(rec.uscc)
                new_uscc.append(rec.uscc)
                if rec.values["status"] not in TERMINAL and rec.key not in seen_key:
                    seen_key[rec.key] = new_key[rec.key] = rec.uscc
                out.records.append(rec)
                out.prepared[rec.uscc] = _insert_rows(rec, self.r, now)
        out.failures.sort(key=lambda errs: errs[0].row)  # the report keeps the file's first MAX_ERRORS errors
        self.seen.add(new_uscc, new_key)
        return out

    def close(self) -> None:
        self.seen.close()


def _row_error(rec: rows.Record, field_name: str, rule: str, zh: str, en: str) -> RowError:
    return RowError(row=rec.n, uscc=rec.uscc, field=field_name, rule=rule, message_zh=zh, message=en)


async def _write_all(session: AsyncSession, chunks: Iterator[list[dict]], r: _Run, dry_run: bool,
                     outbox: Outbox) -> None:
    """Check chunk k+1 in a thread, then write it; a refusal anywhere ends the import (nothing commits).

    On PostgreSQL the check of chunk k+1 overlaps the write of chunk k: the database works in its own processes
    (in turn: 4,380 -> 3,627 rows/s at 100,000). On SQLite it does not: SQLite writes in this process, in the
    driver's thread, and its executemany takes the GIL back after every row's step, which a check holding the GIL
    alongside delays (the write of a chunk 40 against 55-106 µs a row). Overlapped or in turn, the import's rate
    is the same there (three runs each, 100,000 rows: 4,861-5,377 against 5,058-5,514 rows/s), as the GIL
    serialises the two anyway; in turn it takes 183-203 against 197-215 µs of CPU a row, left to the consumers
    that take the import's events in at the same time."""
    checker = _Checker(r)
    pending: asyncio.Future | None = None
    overlap = (await session.connection()).dialect.name != "sqlite"
    try:
        while True:
            try:
                chunk = await asyncio.to_thread(next, chunks, None)
            except (parse.FormatError, UnicodeDecodeError) as exc:
                raise Refused([Problem("body", "IMPORT-1", f"文件无法读取：{exc}",
                                       f"the file cannot be read: {exc}")]) from exc
            if chunk is None:
                break
            if not overlap and pending is not None:
                await pending
                pending = None
            checked = await asyncio.to_thread(checker.check, chunk, datetime.now(UTC))
            if pending is not None:
                await pending
            if r.progress is not None:
                r.progress.done, r.progress.failed = r.rows, r.failed
                r.progress.check()  # a cancel: JobCancelled, and the job's transaction rolls back
            pending = asyncio.ensure_future(_apply(session, checked, r, dry_run, outbox))
        if pending is not None:
            await pending
        if r.progress is not None:
            r.progress.done, r.progress.failed = r.rows, r.failed
    finally:
        if pending is not None and not pending.done():
            pending.cancel()
            with suppress(asyncio.CancelledError):
                await pending
        checker.close()


async def _apply(session: AsyncSession, checked: _Checked, r: _Run, dry_run: bool, outbox: Outbox) -> None:
    """The database side of one chunk: compare with what is stored (IMPORT-3, REG-6 against holders), then write."""
    r.rows += checked.rows
    for errs in checked.failures:
        r.fail(errs)
    records = checked.records
    existing = await organisation_service.snapshot(session, [x.uscc for x in records])
    holders = await name_service.holders(session, [x.key for x in records])
    inserts, updates = [], []
    for rec in records:
        org = existing.get(rec.uscc)
        if org is not None:
            if org.content_hash == rec.content_hash:
                r.unchanged += 1
            elif org.source != "import":
                r.error(rec, "uscc", "IMPORT-3", "该组织由本系统办理登记，不能被历史数据覆盖",
                        "this record is maintained in the registry and is not overwritten by an import")
            elif (org.status in TERMINAL and rec.values["status"] not in TERMINAL
                  and holders.get(rec.key, ("organisation", rec.uscc)) != ("organisation", rec.uscc)):
                r.error(rec, "name", "REG-6", "该组织恢复存续，但名称已被其他组织登记、预留或备案",
                        "the record would come back to life under a name another record now holds")
            else:
                updates.append((org, rec))
        elif rec.values["status"] not in TERMINAL and holders.get(rec.key, ("organisation", rec.uscc)) != (
                "organisation", rec.uscc):
            r.error(rec, "name", "REG-6", "名称已被其他组织登记、预留或备案", "the name is held by another record")
        else:
            inserts.append(rec)
    if dry_run:
        r.created += len(inserts)
        r.updated += len(updates)
        return
    await _insert(session, [checked.prepared[x.uscc] for x in inserts], inserts, r, outbox)
    for org, rec in updates:
        await _update(session, org, rec, r, outbox)


def _insert_rows(rec: rows.Record, r: _Run, now: datetime) -> tuple[dict, dict, OrganisationRegistered | None]:
    """The organisation row, its first history entry and (for a live record) its registered event."""
    v = rec.values
    registered = date.fromisoformat(v["registration_date"])
    org = {
        **{k: v[k] for k in ("uscc", "name", "org_type", "division_code", "address", "legal_rep_name",
                             "business_scope", "supervisory_unit", "status", "sector", "category",
                             "community_class")},
        "name_normalised": rec.key, "registration_date": registered,
        "registered_at": datetime.combine(registered, time(), UTC), "party_full_members": 0,
        "party_probationary_members": 0, "sector_key": name_rules.key(v["sector"]) if v["sector"] else None,
        "is_industry_association": v["category"] == DirectCategory.TRADE_ASSOCIATION.value,
        "activity_funds": Decimal(v["activity_funds"]) if v["activity_funds"] else None, "source": "import",
        "import_batch_id": r.batch_id, "content_hash": rec.content_hash, "updated_at": now,
        "legal_rep_id_number": None, "legal_rep_phone": None, "grade": None, "status_since": None,
    }
    history = {"uscc": rec.uscc, "action": "imported", "actor": r.principal.actor, "actor_role": r.principal.role,
               "at": now, "before": None, "after": {"name": v["name"], "status": v["status"], "batch_id": r.batch_id,
                                                    "row": rec.n, "source": r.source},
               "reason": f"历史数据导入：{r.source}"}
    event = None
    if v["status"] in LIVE:
        event = OrganisationRegistered(
            uscc=rec.uscc, name=v["name"], org_type=OrgType(v["org_type"]), division_code=v["division_code"],
            address=v["address"], legal_representative=v["legal_rep_name"], business_scope=v["business_scope"],
            supervisory_unit=v["supervisory_unit"], registered_at=datetime.combine(registered, time(), UTC),
            registration_date=registered, status=v["status"], party_full_members=0, party_probationary_members=0,
            category=v["category"], sector=v["sector"], community_class=v["community_class"], source="import")
    return org, history, event


async def _insert(session: AsyncSession, prepared: list[tuple[dict, dict, OrganisationRegistered | None]],
                  records: list[rows.Record], r: _Run, outbox: Outbox) -> None:
    # In key order: consecutive inserts land on the same index pages instead of all over them.
    orgs = sorted((p[0] for p in prepared), key=lambda o: o["uscc"])
    history = sorted((p[1] for p in prepared), key=lambda h: h["uscc"])
    events = [p[2] for p in prepared if p[2] is not None]
    claims = sorted((x.key, "organisation", x.uscc) for x in records if x.values["status"] in LIVE)
    await organisation_service.insert_many(session, orgs, history)
    await name_service.claim_many(session, claims)
    await search_service.index_names(session, [(x.uscc, x.key) for x in records])
    await outbox.emit_many(session, list(_bulk_events(events, r.batch_id)))
    r.created += len(records)


BULK_ITEMS = 1000
"""An import chunk's worth (REGISTRY_IMPORT_CHUNK_ROWS' default): every consumer handles a bulk event in one
transaction, and its fixed cost (fetch, parse, inbox, commit, ack, the cascades it emits) was a fifth of the CPU per
organisation at 256 (bench/bulk_propagation.py at 100,000: 1,188 -> 940 µs per organisation, all processes)."""
BULK_BYTES = 512 * 1024  # NATS refuses a message over its max_payload (1 MiB by default)


def _bulk_events(events: list[OrganisationRegistered], batch_id: int | None) -> Iterator[OrganisationsImported]:
    """The chunk's registrations as bulk events (`registry.organisations.imported.v1`): up to BULK_ITEMS each and
    about BULK_BYTES of JSON (estimated from the text fields, 3 bytes a character as Chinese text is in UTF-8)."""
    chunk: list[OrganisationRegistered] = []
    size = 0
    for event in events:
        estimate = 400 + 3 * (len(event.name) + len(event.address) + len(event.business_scope)
                              + len(event.supervisory_unit or "") + len(event.legal_representative)
                              + len(event.sector or "") + len(event.category or "") + len(event.community_class or ""))
        if chunk and (len(chunk) >= BULK_ITEMS or size + estimate > BULK_BYTES):
            yield OrganisationsImported(batch_id=batch_id, organisations=chunk)
            chunk, size = [], 0
        chunk.append(event)
        size += estimate
    if chunk:
        yield OrganisationsImported(batch_id=batch_id, organisations=chunk)


async def _update(session: AsyncSession, org: Organisation, rec: rows.Record, r: _Run, outbox: Outbox) -> None:
    v = rec.values
    fields = {"name": v["name"], "address": v["address"], "legal_rep_name": v["legal_rep_name"],
              "business_scope": v["business_scope"], "supervisory_unit": v["supervisory_unit"], "sector": v["sector"],
              "activity_funds": v["activity_funds"], "org_type": v["org_type"], "division_code": v["division_code"],
              "category": v["category"], "community_class": v["community_class"],
              "registration_date": v["registration_date"]}
    current = {k: (str(getattr(org, k)) if k in ("activity_funds", "registration_date") and getattr(org, k) is not None
                   else getattr(org, k)) for k in fields}
    after = {k: val for k, val in fields.items() if current[k] != val}
    before = {k: current[k] for k in after}
    applied = dict(after)
    try:
        if org.status in TERMINAL and v["status"] in TERMINAL and "name" in after:
            # A closed record's name is not in use: no claim, but the search index follows it.
            await search_service.unindex_name(session, org.uscc, org.name_normalised)
            org.name, org.name_normalised = v["name"], rec.key
            await search_service.index_name(session, org.uscc, rec.key)
            applied.pop("name")
        corrected = applied.pop("registration_date", None)
        await change_service.apply(session, org, applied, r.principal, r.today, outbox)  # NameTaken before any change
        if corrected is not None:  # a correction of the legacy record, not a change registration
            registered = date.fromisoformat(corrected)
            org.registration_date, org.registered_at = registered, datetime.combine(registered, time(), UTC)
    except NameTaken:
        r.error(rec, "name", "REG-6", "新名称已被其他组织使用", "the new name is held by another record")
        return
    org.content_hash, org.import_batch_id = rec.content_hash, r.batch_id
    await organisation_service.record_history(session, org.uscc, "import_updated", r.principal, before=before,
                                              after={**after, "batch_id": r.batch_id, "row": rec.n},
                                              reason=f"历史数据导入：{r.source}")
    await change_service.emit_changed(session, outbox, org.uscc, before, after, r.today)
    if v["status"] != org.status:
        await lifecycle_service.transition(session, org, OrganisationStatus(v["status"]), rule="IMPORT-1",
                                           reason=f"历史数据导入：{r.source}", principal=r.principal, outbox=outbox,
                                           today=r.today, decided_by=None)
    r.updated += 1
