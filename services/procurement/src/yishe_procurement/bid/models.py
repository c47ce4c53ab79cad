from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, Boolean, Date, ForeignKey, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from yishe_kit.db import UtcDateTime

from ..db import Base


class Bid(Base):
    """A bid (投标/响应文件) with the eligibility evidence as it stood on the bid date (never recomputed)."""

    __tablename__ = "bid"
    __table_args__ = (UniqueConstraint("project_id", "uscc", name="uq_bid_project_org"),)

    bid_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    project_id: Mapped[str] = mapped_column(ForeignKey("project.project_id"), index=True)
    uscc: Mapped[str] = mapped_column(String(18), index=True)
    org_name: Mapped[str] = mapped_column(String(200))
    amount: Mapped[Decimal] = mapped_column(Numeric(14, 2))
    proposal: Mapped[str] = mapped_column(Text)
    bid_date: Mapped[date] = mapped_column(Date)
    submitted_at: Mapped[datetime] = mapped_column(UtcDateTime())
    evidence: Mapped[dict[str, Any]] = mapped_column(JSON)
    preferred: Mapped[bool] = mapped_column(Boolean)
    status: Mapped[str] = mapped_column(String(12))
    withdrawn_at: Mapped[datetime | None] = mapped_column(UtcDateTime())


class RefusedBid(Base):
    """A bid refused at submission (PROC-4 ineligible, PROC-6 over budget, PROC-8 subcontracting), kept with the
    PROC-4 conditions as evaluated on the bid date (never recomputed): the bidder and staff can read why."""

    __tablename__ = "refused_bid"

    refusal_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    project_id: Mapped[str] = mapped_column(ForeignKey("project.project_id"), index=True)
    division_code: Mapped[str] = mapped_column(String(6))
    uscc: Mapped[str] = mapped_column(String(18), index=True)
    org_name: Mapped[str] = mapped_column(String(200))
    amount: Mapped[Decimal] = mapped_column(Numeric(14, 2))
    bid_date: Mapped[date] = mapped_column(Date)
    refused_at: Mapped[datetime] = mapped_column(UtcDateTime())
    code: Mapped[str] = mapped_column(String(40))
    problems: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    evidence: Mapped[dict[str, Any]] = mapped_column(JSON)
