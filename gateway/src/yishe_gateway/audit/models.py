from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from yishe_kit.db import UtcDateTime

from ..db import Base


class AuditEntry(Base):
    """One audited request: who, through which client, on which organisation, for what stated purpose, when.
    `hash` = HMAC-SHA256 over the previous entry's hash and this entry's canonical content (audit/chain.py); entries
    written before the keyed links came in: plain SHA-256 (see `AuditAnchor`)."""

    __tablename__ = "audit_entry"

    seq: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    at: Mapped[datetime] = mapped_column(UtcDateTime())
    request_id: Mapped[str] = mapped_column(String(128))
    action: Mapped[str] = mapped_column(String(20))
    kind: Mapped[str] = mapped_column(String(20))
    actor: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(20))
    division: Mapped[str] = mapped_column(String(12))
    client: Mapped[str | None] = mapped_column(String(64))
    method: Mapped[str] = mapped_column(String(10))
    path: Mapped[str] = mapped_column(String(2000))
    uscc: Mapped[str | None] = mapped_column(String(18), index=True)
    purpose: Mapped[str] = mapped_column(String(500))
    status: Mapped[int | None] = mapped_column(Integer)
    detail: Mapped[dict[str, Any]] = mapped_column(JSON)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


class AuditHead(Base):
    """The chain's head (one row): updating it first serialises writers across processes and replicas."""

    __tablename__ = "audit_head"

    head_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    seq: Mapped[int] = mapped_column(BigInteger)
    hash: Mapped[str] = mapped_column(String(64))


class AuditAnchor(Base):
    """Where the keyed chain begins (one row, written by the migration that brought the keyed links in): entries up
    to `legacy_upto` were linked by plain SHA-256 before there was a key and are verified so; every later entry is
    HMAC-linked, the first from `legacy_head`. Append-only (triggers), and `verify` reports it, so moving the anchor
    forward to hide a rewrite behind the unkeyed links is refused by the database and shown to the operator."""

    __tablename__ = "audit_anchor"

    anchor_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    legacy_upto: Mapped[int] = mapped_column(BigInteger)
    legacy_head: Mapped[str] = mapped_column(String(64))
