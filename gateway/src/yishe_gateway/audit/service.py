"""AUDIT-1: the audit log writer (batched, each caller waits for its entry to be committed) and AUDIT-2: verifying
the chain. AUDIT-3 (append-only) is also enforced by database triggers (migrations)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Any
from urllib.parse import unquote

import structlog
from fastapi import Request
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from yishe_kit.errors import ServiceError
from yishe_kit.tasks import stop as stop_tasks

from ..identity.principal import Identity
from . import chain
from .checkpoint import Checkpoint, Checkpoints
from .models import AuditAnchor, AuditEntry, AuditHead

log = structlog.get_logger("yishe.gateway.audit")
HEAD_ID = 1
BATCH = 500


def stated_purpose(request: Request) -> str:
    """`X-Purpose`, percent-decoded so a Chinese purpose (e.g. 信用核查) can travel in a header."""
    return unquote(request.headers.get("x-purpose", ""))[:500]


class AuditLog:
    def __init__(self, sessionmaker: async_sessionmaker[AsyncSession], key: bytes,
                 checkpoints: Checkpoints | None = None):
        self.sessionmaker = sessionmaker
        self.key = key
        self.checkpoints = checkpoints
        self.head: tuple[int, str] = (0, chain.GENESIS)
        self._queue: asyncio.Queue[tuple[dict[str, Any], asyncio.Future[int]]] = asyncio.Queue()
        self._task: asyncio.Task | None = None

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="audit-writer")

    async def stop(self) -> None:
        if self._task is not None:
            await stop_tasks(self._task)

    async def record(self, identity: Identity, request: Request, *, action: str, uscc: str | None = None,
                     status: int | None = None, detail: dict[str, Any] | None = None) -> int:
        """Append one entry and wait until it is committed; 503 if it cannot be (nothing is disclosed unaudited)."""
        query = request.url.query
        values = {
            "at": datetime.now(UTC), "request_id": getattr(request.state, "request_id", ""), "action": action,
            "kind": identity.kind, "actor": identity.actor, "role": identity.role, "division": identity.division,
            "client": identity.client, "method": request.method,
            "path": (request.url.path + (f"?{query}" if query else ""))[:2000], "uscc": uscc,
            "purpose": stated_purpose(request), "status": status, "detail": detail or {},
        }
        future: asyncio.Future[int] = asyncio.get_running_loop().create_future()
        self._queue.put_nowait((values, future))
        try:
            return await future
        except Exception as exc:
            log.error("audit write failed", error=repr(exc), action=action, uscc=uscc)
            raise ServiceError("audit_unavailable", 503, "the audit log cannot be written; nothing was disclosed") \
                from exc

    async def _run(self) -> None:
        while True:
            batch = [await self._queue.get()]
            while len(batch) < BATCH and not self._queue.empty():
                batch.append(self._queue.get_nowait())
            try:
                seqs = await self._write([values for values, _ in batch])
            except Exception as exc:
                for _, future in batch:
                    if not future.done():
                        future.set_exception(exc)
                continue
            for (_, future), seq in zip(batch, seqs, strict=True):
                if not future.done():
                    future.set_result(seq)
            if self.checkpoints is not None:
                self.checkpoints.committed(*self.head)

    async def _write(self, batch: list[dict[str, Any]]) -> list[int]:
        async with self.sessionmaker() as session, session.begin():
            # Touch the head first: the row lock (PostgreSQL) or write lock (SQLite) orders concurrent writers.
            await session.execute(update(AuditHead).where(AuditHead.head_id == HEAD_ID)
                                  .values(seq=AuditHead.seq))
            head = (await session.execute(select(AuditHead.seq, AuditHead.hash)
                                          .where(AuditHead.head_id == HEAD_ID))).one()
            seq, prev = head.seq, head.hash
            rows, seqs = [], []
            for values in batch:
                seq += 1
                entry = {**values, "seq": seq}
                digest = chain.link(prev, entry, self.key)
                rows.append(AuditEntry(**entry, prev_hash=prev, hash=digest))
                seqs.append(seq)
                prev = digest
            session.add_all(rows)
            await session.execute(update(AuditHead).where(AuditHead.head_id == HEAD_ID).values(seq=seq, hash=prev))
        self.head = (seq, prev)
        return seqs


async def verify(session: AsyncSession, key: bytes, checkpoint: Checkpoint | None = None,
                 page: int = 1000) -> dict[str, Any]:
    """AUDIT-2: recompute every keyed link from the genesis; name the first entry that was changed, removed or
    inserted; then hold the chain against the latest signed checkpoint kept outside the database (audit/checkpoint.py):
    fewer entries than it vouched for (tail cut, head rewound) or another hash at its seq (rewritten and rehashed).
    Entries written before the keyed links came in (up to the anchor, `legacy_upto` in the verdict) are checked by
    their unkeyed links."""
    prev, expected, count = chain.GENESIS, 1, 0
    at_checkpoint: str | None = None
    anchor = await session.get(AuditAnchor, HEAD_ID)
    legacy_upto = anchor.legacy_upto if anchor is not None else 0
    checked = {"checkpoint_seq": checkpoint.seq if checkpoint else None, "legacy_upto": legacy_upto}

    def broken(seq: int, reason: str) -> dict[str, Any]:
        return {"valid": False, "entries": count, "first_invalid_seq": seq, "reason": reason, "head": prev, **checked}

    while True:
        rows = list(await session.scalars(select(AuditEntry).where(AuditEntry.seq >= expected)
                                          .order_by(AuditEntry.seq).limit(page)))
        for row in rows:
            if row.seq != expected:
                return broken(expected, f"entry {expected} is missing")
            if row.prev_hash != prev:
                return broken(row.seq, "prev_hash does not match the entry before")
            content = {f: getattr(row, f) for f in chain.FIELDS}
            linked = chain.legacy_link(prev, content) if row.seq <= legacy_upto else chain.link(prev, content, key)
            if linked != row.hash:
                return broken(row.seq, "content does not match its hash")
            if anchor is not None and row.seq == legacy_upto and row.hash != anchor.legacy_head:
                return broken(row.seq, "the last unkeyed entry differs from the anchor the keyed chain starts from")
            prev, expected, count = row.hash, expected + 1, count + 1
            if checkpoint is not None and row.seq == checkpoint.seq:
                at_checkpoint = row.hash
        if len(rows) < page:
            break
    head = await session.get(AuditHead, HEAD_ID)
    if head is None or head.seq != count or head.hash != prev:
        return broken(count + 1, "the chain head does not match the last entry (entries removed at the end?)")
    if checkpoint is not None:
        if count < checkpoint.seq:
            return broken(count + 1, f"the chain ends at {count} but a signed checkpoint vouches for "
                                     f"{checkpoint.seq} entries (entries removed at the end, head rewound)")
        if at_checkpoint != checkpoint.hash:
            return broken(checkpoint.seq, f"entry {checkpoint.seq} differs from the signed checkpoint "
                                          "(entries rewritten and rehashed)")
    return {"valid": True, "entries": count, "first_invalid_seq": None, "reason": None, "head": prev, **checked}


async def entries(session: AsyncSession, *, uscc: str | None, actor: str | None, after: int,
                  limit: int) -> list[AuditEntry]:
    stmt = select(AuditEntry).where(AuditEntry.seq > after)
    if uscc:
        stmt = stmt.where(AuditEntry.uscc == uscc)
    if actor:
        stmt = stmt.where(AuditEntry.actor == actor)
    return list(await session.scalars(stmt.order_by(AuditEntry.seq).limit(limit)))
