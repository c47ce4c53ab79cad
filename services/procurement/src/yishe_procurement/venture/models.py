from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, Date, ForeignKey, Integer, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from yishe_kit.db import BigIntPK, UtcDateTime

from ..db import Base


class VentureRound(Base):
    __tablename__ = "venture_round"

    round_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    year: Mapped[int] = mapped_column(Integer)
    division_code: Mapped[str] = mapped_column(String(6), index=True)
    funding_source: Mapped[str] = mapped_column(String(20))
    pool_amount: Mapped[Decimal] = mapped_column(Numeric(14, 2))
    labour_max_ratio: Mapped[Decimal | None] = mapped_column(Numeric(5, 4))
    apply_until: Mapped[date] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())


class VentureApplication(Base):
    __tablename__ = "venture_application"
    __table_args__ = (UniqueConstraint("round_id", "uscc", name="uq_venture_application_org"),)

    application_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    round_id: Mapped[str] = mapped_column(ForeignKey("venture_round.round_id"), index=True)
    uscc: Mapped[str] = mapped_column(String(18), index=True)
    org_name: Mapped[str] = mapped_column(String(200))
    title: Mapped[str] = mapped_column(String(200))
    summary: Mapped[str] = mapped_column(Text)
    requested_amount: Mapped[Decimal] = mapped_column(Numeric(14, 2))
    budget: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    labour_budget: Mapped[Decimal] = mapped_column(Numeric(14, 2))
    eligibility: Mapped[dict[str, Any]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(12))
    grant_amount: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))
    granted_on: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())


class VentureSpending(Base):
    """Spending reported against a grant; the PROC-11 labour cap is checked on the running totals."""

    __tablename__ = "venture_spending"

    spending_id: Mapped[int] = mapped_column(BigIntPK, primary_key=True, autoincrement=True)
    application_id: Mapped[str] = mapped_column(ForeignKey("venture_application.application_id"), index=True)
    reported_on: Mapped[date] = mapped_column(Date)
    lines: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    total: Mapped[Decimal] = mapped_column(Numeric(14, 2))
    labour: Mapped[Decimal] = mapped_column(Numeric(14, 2))
    recorded_at: Mapped[datetime] = mapped_column(UtcDateTime())
