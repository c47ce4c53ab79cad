from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import JSON, Boolean, Date, Integer, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from yishe_kit.db import BigIntPK, UtcDateTime

from ..db import Base


class CreditRecord(Base):
    """One item of credit information in one of the five CR-4 classes, with when it was formed and recorded (CR-5)."""

    __tablename__ = "credit_record"
    __table_args__ = (UniqueConstraint("uscc", "source_ref"),)

    record_id: Mapped[int] = mapped_column(BigIntPK, primary_key=True, autoincrement=True)
    uscc: Mapped[str] = mapped_column(String(18), index=True)
    category: Mapped[str] = mapped_column(String(20), index=True)  # basic annual_report inspection penalty other
    kind: Mapped[str] = mapped_column(String(40))
    title: Mapped[str] = mapped_column(Text)
    details: Mapped[dict] = mapped_column(JSON)
    source: Mapped[str] = mapped_column(String(120))
    source_ref: Mapped[str | None] = mapped_column(String(160))  # dedupe key: the same fact is recorded once
    formed_on: Mapped[date] = mapped_column(Date)
    recorded_at: Mapped[datetime] = mapped_column(UtcDateTime())
    recording_due: Mapped[date] = mapped_column(Date)
    recorded_late: Mapped[bool] = mapped_column(Boolean)
    public: Mapped[bool] = mapped_column(Boolean, default=True)
    recorded_by: Mapped[str] = mapped_column(String(120))
    penalty_type: Mapped[str | None] = mapped_column(String(20))
    fine_amount: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))
    decision_number: Mapped[str | None] = mapped_column(String(120))
    legal_basis: Mapped[str | None] = mapped_column(Text)
    deciding_body: Mapped[str | None] = mapped_column(String(200))
    corrected: Mapped[bool] = mapped_column(Boolean, default=False)
    correction_note: Mapped[str | None] = mapped_column(Text)


class AnnualReport(Base):
    """Per organisation and year: overdue, submitted, reviewed (AR-1, AR-4, AR-5), as registry told us."""

    __tablename__ = "annual_report"

    uscc: Mapped[str] = mapped_column(String(18), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    deadline: Mapped[date | None] = mapped_column(Date)
    overdue_on: Mapped[date | None] = mapped_column(Date)
    submitted_on: Mapped[date | None] = mapped_column(Date)
    late: Mapped[bool | None] = mapped_column(Boolean)
    result: Mapped[str | None] = mapped_column(String(10))
    reviewed_on: Mapped[date | None] = mapped_column(Date)
