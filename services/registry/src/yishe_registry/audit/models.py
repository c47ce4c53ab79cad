from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, BigInteger, Date, ForeignKey, Numeric, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from yishe_kit.db import BigIntPK, UtcDateTime

from ..db import Base


class AuditEngagement(Base):
    """One audit commissioned by the authority for one occasion, or a documented exemption from it (TPA-2).

    status: commissioned → reported; or exempted (no audit, reason and who recorded). `used_for` marks the step
    (a change of legal representative, a deregistration) the report or exemption completed, so it serves once."""

    __tablename__ = "audit_engagement"

    engagement_id: Mapped[int] = mapped_column(BigIntPK, primary_key=True, autoincrement=True)
    uscc: Mapped[str] = mapped_column(String(18), index=True)
    division_code: Mapped[str] = mapped_column(String(6), index=True)
    occasion: Mapped[str] = mapped_column(String(30))
    status: Mapped[str] = mapped_column(String(20))
    audit_firm: Mapped[str | None] = mapped_column(String(200))
    fee: Mapped[Decimal] = mapped_column(Numeric(14, 2))
    budget_year: Mapped[int] = mapped_column(index=True)
    commissioned_on: Mapped[date] = mapped_column(Date)
    due_on: Mapped[date | None] = mapped_column(Date)
    commissioned_by: Mapped[str] = mapped_column(String(100))
    report_ref: Mapped[str | None] = mapped_column(String(500))
    opinion: Mapped[str | None] = mapped_column(Text)
    reported_on: Mapped[date | None] = mapped_column(Date)
    filed_by: Mapped[str | None] = mapped_column(String(100))
    exemption_reason: Mapped[str | None] = mapped_column(Text)
    exemption_authorised_by: Mapped[str | None] = mapped_column(String(100))
    used_for: Mapped[str | None] = mapped_column(String(60))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())


class AuditFinding(Base):
    """A finding of a filed report, with severity and evidence; moderate and serious ones are adverse (TPA-5)."""

    __tablename__ = "audit_finding"

    finding_id: Mapped[int] = mapped_column(BigIntPK, primary_key=True, autoincrement=True)
    engagement_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("audit_engagement.engagement_id"), index=True)
    uscc: Mapped[str] = mapped_column(String(18), index=True)
    severity: Mapped[str] = mapped_column(String(20))
    summary: Mapped[str] = mapped_column(Text)
    evidence: Mapped[list[Any]] = mapped_column(JSON)


class PendingChange(Base):
    """A change of legal representative waiting for the outgoing representative's audit (TPA-2); the request is
    kept as submitted (it holds personal data: never shown, only replayed) and completed when the report is filed."""

    __tablename__ = "pending_change"

    pending_id: Mapped[int] = mapped_column(BigIntPK, primary_key=True, autoincrement=True)
    uscc: Mapped[str] = mapped_column(String(18), index=True)
    occasion: Mapped[str] = mapped_column(String(30))
    request: Mapped[dict[str, Any]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(20))  # waiting | completed | refused
    requested_by: Mapped[str] = mapped_column(String(100))
    requested_role: Mapped[str] = mapped_column(String(50))
    requested_on: Mapped[date] = mapped_column(Date)
    completed_on: Mapped[date | None] = mapped_column(Date)
    engagement_id: Mapped[int | None] = mapped_column(BigInteger)
    outcome: Mapped[list[Any] | None] = mapped_column(JSON)
