from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, Boolean, Date, Integer, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from yishe_kit.db import BigIntPK, UtcDateTime

from ..db import Base


class AnnualReport(Base):
    """One organisation's report on one year; also the marker the overdue job leaves when none came (AR-5)."""

    __tablename__ = "annual_report"
    __table_args__ = (UniqueConstraint("uscc", "year", name="uq_annual_report_uscc_year"),)

    report_id: Mapped[int] = mapped_column(BigIntPK, primary_key=True, autoincrement=True)
    uscc: Mapped[str] = mapped_column(String(18), index=True)
    year: Mapped[int] = mapped_column(Integer, index=True)
    status: Mapped[str] = mapped_column(String(30))  # overdue | submitted | returned | first_instance_passed | reviewed
    deadline: Mapped[date] = mapped_column(Date)
    supervisor_deadline: Mapped[date | None] = mapped_column(Date)
    submitted_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    submitted_by: Mapped[str | None] = mapped_column(String(100))
    late: Mapped[bool] = mapped_column(Boolean, default=False)
    total_income: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))
    total_expenditure: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))
    net_assets: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))
    public_benefit_spending: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))
    staff_admin_costs: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))
    last_year_income: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))
    last_year_fund_balance: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))
    activities: Mapped[str | None] = mapped_column(Text)
    party_building: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    findings: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON)
    first_instance_decision: Mapped[str | None] = mapped_column(String(20))
    first_instance_opinion: Mapped[str | None] = mapped_column(Text)
    first_instance_by: Mapped[str | None] = mapped_column(String(100))
    first_instance_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    result: Mapped[str | None] = mapped_column(String(10))
    review_opinion: Mapped[str | None] = mapped_column(Text)
    reviewed_by: Mapped[str | None] = mapped_column(String(100))
    reviewed_on: Mapped[date | None] = mapped_column(Date)
    disclosed_on: Mapped[date | None] = mapped_column(Date)
    overdue_on: Mapped[date | None] = mapped_column(Date)
    # income and spending by source (DISC-5) and the workforce section (WORK-1), both optional
    income_by_source: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    spending_by_source: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    workforce: Mapped[dict[str, Any] | None] = mapped_column(JSON)
