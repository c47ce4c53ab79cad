"""Reading and verifying the audit chain (platform operators, role internal); these reads are audited too."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel, ConfigDict

from yishe_kit.db import SessionDep

from ..identity.dependencies import IdentityDep, require
from . import service

router = APIRouter(tags=["audit"])
_refused: dict = {401: {"description": "authentication required"}, 403: {"description": "role internal only"}}


class AuditEntryRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    seq: int
    at: datetime
    request_id: str
    action: str
    kind: str
    actor: str
    role: str
    division: str
    client: str | None
    method: str
    path: str
    uscc: str | None
    purpose: str
    status: int | None
    detail: dict[str, Any]
    prev_hash: str
    hash: str


class ChainVerdict(BaseModel):
    valid: bool
    entries: int
    head: str
    first_invalid_seq: int | None
    reason: str | None
    checkpoint_seq: int | None = None
    legacy_upto: int = 0
    """Entries up to this seq were written before the keyed links (plain SHA-256, checked so); 0: none."""


class CheckpointRead(BaseModel):
    seq: int
    hash: str
    at: int
    token: str


@router.get("/v1/audit/verify", response_model=ChainVerdict, responses=_refused)
async def verify_audit_chain(session: SessionDep, identity: IdentityDep, request: Request) -> ChainVerdict:
    """Recompute the whole keyed chain (AUDIT-2) and hold it against the latest signed checkpoint: valid, or the first
    entry changed, removed or inserted."""
    require(identity, "internal")
    audit = request.app.state.audit
    await audit.record(identity, request, action="read", detail={"what": "audit_verify"})
    checkpoint = await audit.checkpoints.latest() if audit.checkpoints is not None else None
    return ChainVerdict(**await service.verify(session, audit.key, checkpoint))


@router.get("/v1/audit/checkpoints", response_model=list[CheckpointRead], responses=_refused)
async def list_audit_checkpoints(identity: IdentityDep, request: Request, after: int = Query(0, ge=0),
                                 limit: int = Query(100, ge=1, le=1000)) -> list[CheckpointRead]:
    """Signed checkpoints of the audit chain's head (kept in NATS, outside the database), for the provincial
    platform: each `token` is a JWT signed with the gateway's key (seq, hash)."""
    require(identity, "internal")
    audit = request.app.state.audit
    await audit.record(identity, request, action="read", detail={"what": "audit_checkpoints"})
    found = await audit.checkpoints.listing(after, limit) if audit.checkpoints is not None else []
    return [CheckpointRead(seq=c.seq, hash=c.hash, at=c.at, token=c.token) for c in found]


@router.get("/v1/audit", response_model=list[AuditEntryRead], responses=_refused)
async def list_audit_entries(session: SessionDep, identity: IdentityDep, request: Request, uscc: str | None = None,
                             actor: str | None = None, after: int = Query(0, ge=0),
                             limit: int = Query(100, ge=1, le=1000)) -> list[AuditEntryRead]:
    """Audit entries after sequence number `after`, oldest first, optionally for one organisation or actor."""
    require(identity, "internal")
    await request.app.state.audit.record(identity, request, action="read", uscc=uscc, detail={"what": "audit"})
    rows = await service.entries(session, uscc=uscc, actor=actor, after=after, limit=limit)
    return [AuditEntryRead.model_validate(r) for r in rows]
