from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Boolean, Date, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from yishe_kit.db import BigIntPK, UtcDateTime

from ..db import Base


class ListingTrigger(Base):
    """A fact that calls for a listing, waiting for its day (event-driven triggers are listed by the daily job)."""

    __tablename__ = "listing_trigger"

    trigger_id: Mapped[int] = mapped_column(BigIntPK, primary_key=True, autoincrement=True)
    uscc: Mapped[str] = mapped_column(String(18), index=True)
    list_type: Mapped[str] = mapped_column(String(10))
    trigger: Mapped[str] = mapped_column(String(10))  # CR-6.1 … CR-12.8
    ref: Mapped[str] = mapped_column(String(120))  # what must be performed, e.g. annual_report:2025
    evidence: Mapped[list] = mapped_column(JSON)
    legal_basis: Mapped[str | None] = mapped_column(Text)
    decided_by: Mapped[str] = mapped_column(String(200))
    due_on: Mapped[date] = mapped_column(Date, index=True)
    dedupe_key: Mapped[str] = mapped_column(String(160), unique=True)
    status: Mapped[str] = mapped_column(String(12), index=True)  # pending listed cancelled exempted
    status_on: Mapped[date | None] = mapped_column(Date)
    status_reason: Mapped[str | None] = mapped_column(Text)
    entry_id: Mapped[int | None] = mapped_column(BigIntPK)
    source: Mapped[str] = mapped_column(String(120))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())


class ListingEntry(Base):
    """One listing on one of the two lists: the trigger, the evidence, the obligations, and how it ended (CR-9)."""

    __tablename__ = "listing_entry"

    entry_id: Mapped[int] = mapped_column(BigIntPK, primary_key=True, autoincrement=True)
    uscc: Mapped[str] = mapped_column(String(18), index=True)
    org_name: Mapped[str] = mapped_column(String(200))
    division_code: Mapped[str] = mapped_column(String(6), index=True)
    list_type: Mapped[str] = mapped_column(String(10), index=True)  # abnormal serious
    trigger: Mapped[str] = mapped_column(String(10))
    reason: Mapped[str] = mapped_column(Text)  # public reason category (CR-14)
    legal_basis: Mapped[str] = mapped_column(Text)
    evidence: Mapped[list] = mapped_column(JSON)
    decided_by: Mapped[str] = mapped_column(String(200))
    listed_on: Mapped[date] = mapped_column(Date)
    action: Mapped[str] = mapped_column(String(12))  # listed relisted (CR-9)
    status: Mapped[str] = mapped_column(String(12), index=True)  # active removed escalated
    requires_obligation: Mapped[bool] = mapped_column(Boolean)
    obligation: Mapped[str | None] = mapped_column(Text)
    ref: Mapped[str | None] = mapped_column(String(120), index=True)  # the fact listed, e.g. penalty:12
    open_refs: Mapped[list] = mapped_column(JSON)  # obligations still to perform, e.g. ["annual_report:2025"]
    obligation_met_on: Mapped[date | None] = mapped_column(Date)
    obligation_evidence: Mapped[list] = mapped_column(JSON)
    source_entry_ids: Mapped[list] = mapped_column(JSON)  # CR-12.1: the abnormal entries escalated
    dedupe_key: Mapped[str | None] = mapped_column(String(160), unique=True)
    ended_on: Mapped[date | None] = mapped_column(Date)
    end_rule: Mapped[str | None] = mapped_column(String(20))
    end_reason: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())


class RemovalApplication(Base):
    """An application to be taken off a list; staff verify it and remove within 5 working days (CR-10, CR-13)."""

    __tablename__ = "removal_application"

    application_id: Mapped[int] = mapped_column(BigIntPK, primary_key=True, autoincrement=True)
    entry_id: Mapped[int] = mapped_column(BigIntPK, index=True)
    uscc: Mapped[str] = mapped_column(String(18), index=True)
    applied_on: Mapped[date] = mapped_column(Date)
    applied_by: Mapped[str] = mapped_column(String(160))
    statement: Mapped[str] = mapped_column(Text)
    evidence: Mapped[list] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(10), index=True)  # pending approved refused
    decided_on: Mapped[date | None] = mapped_column(Date)
    decided_by: Mapped[str | None] = mapped_column(String(160))
    decision_reason: Mapped[str | None] = mapped_column(Text)
    removal_due: Mapped[date | None] = mapped_column(Date)
