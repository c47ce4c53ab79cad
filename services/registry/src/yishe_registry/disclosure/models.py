from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, Date, Integer, Numeric, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from yishe_kit.db import BigIntPK, UtcDateTime

from ..db import Base


class FundingReceipt(Base):
    """Money an organisation received that obliges it to disclose (DISC-2): a purchase contract (from procurement's
    event), a 公益创投 or other government grant, a recorded donation; `source_ref` makes a repeat change nothing."""

    __tablename__ = "funding_receipt"
    __table_args__ = (UniqueConstraint("uscc", "source_ref", name="uq_funding_receipt_uscc_source_ref"),)

    receipt_id: Mapped[int] = mapped_column(BigIntPK, primary_key=True, autoincrement=True)
    uscc: Mapped[str] = mapped_column(String(18), index=True)
    kind: Mapped[str] = mapped_column(String(20))  # purchase | venture | grant | donation
    year: Mapped[int] = mapped_column(Integer)
    amount: Mapped[Decimal] = mapped_column(Numeric(14, 2))
    received_on: Mapped[date] = mapped_column(Date)
    source_ref: Mapped[str] = mapped_column(String(160))
    description: Mapped[str | None] = mapped_column(String(500))
    recorded_by: Mapped[str] = mapped_column(String(100))
    recorded_at: Mapped[datetime] = mapped_column(UtcDateTime())


class DisclosureDuty(Base):
    """One organisation's duty to disclose one year (DISC-2), its deadline (DISC-3) and when it was found missing."""

    __tablename__ = "disclosure_duty"
    __table_args__ = (UniqueConstraint("uscc", "year", name="uq_disclosure_duty_uscc_year"),)

    duty_id: Mapped[int] = mapped_column(BigIntPK, primary_key=True, autoincrement=True)
    uscc: Mapped[str] = mapped_column(String(18), index=True)
    division_code: Mapped[str] = mapped_column(String(6), index=True)
    year: Mapped[int] = mapped_column(Integer)
    reasons: Mapped[list[Any]] = mapped_column(JSON)
    deadline: Mapped[date] = mapped_column(Date, index=True)
    disclosed_on: Mapped[date | None] = mapped_column(Date)
    missing_on: Mapped[date | None] = mapped_column(Date)


class FinancialDisclosure(Base):
    """A published yearly disclosure: income and spending by source (yuan, as strings), totals, the audit report."""

    __tablename__ = "financial_disclosure"
    __table_args__ = (UniqueConstraint("uscc", "year", name="uq_financial_disclosure_uscc_year"),)

    disclosure_id: Mapped[int] = mapped_column(BigIntPK, primary_key=True, autoincrement=True)
    uscc: Mapped[str] = mapped_column(String(18), index=True)
    year: Mapped[int] = mapped_column(Integer)
    income: Mapped[dict[str, Any]] = mapped_column(JSON)
    spending: Mapped[dict[str, Any]] = mapped_column(JSON)
    total_income: Mapped[Decimal] = mapped_column(Numeric(14, 2))
    total_spending: Mapped[Decimal] = mapped_column(Numeric(14, 2))
    audit_report_ref: Mapped[str | None] = mapped_column(String(500))
    source: Mapped[str] = mapped_column(String(20))  # organisation | annual_report
    published_on: Mapped[date] = mapped_column(Date)
    published_by: Mapped[str] = mapped_column(String(100))
    revision: Mapped[int] = mapped_column(Integer, default=1)
