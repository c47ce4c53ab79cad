from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Date, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from yishe_kit.db import BigIntPK, UtcDateTime

from ..db import Base


class Bidder(Base):
    """What procurement knows of an organisation; each source fills its own columns (events may come in any order).

    `*_at` columns hold the producer's event time of the fact last applied, so an older fact arriving late never
    overwrites a newer one.
    """

    __tablename__ = "bidder"

    uscc: Mapped[str] = mapped_column(String(18), primary_key=True)
    name: Mapped[str | None] = mapped_column(String(200))
    org_type: Mapped[str | None] = mapped_column(String(20))
    division_code: Mapped[str | None] = mapped_column(String(6), index=True)
    registration_status: Mapped[str | None] = mapped_column(String(30))
    credit_colour: Mapped[str | None] = mapped_column(String(10))
    abnormal_listed: Mapped[bool | None] = mapped_column(Boolean)
    serious_listed: Mapped[bool | None] = mapped_column(Boolean)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime())
    registration_date: Mapped[date | None] = mapped_column(Date)
    status_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    status_reason: Mapped[str | None] = mapped_column(String(500))
    lists_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    abnormal_reason: Mapped[str | None] = mapped_column(String(500))
    serious_reason: Mapped[str | None] = mapped_column(String(500))
    colour_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    colour_reason: Mapped[str | None] = mapped_column(String(500))
    grade: Mapped[str | None] = mapped_column(String(2))
    grade_valid_from: Mapped[date | None] = mapped_column(Date)
    grade_valid_until: Mapped[date | None] = mapped_column(Date)
    grade_on: Mapped[date | None] = mapped_column(Date)
    recommended: Mapped[bool] = mapped_column(Boolean, default=False)
    recommended_on: Mapped[date | None] = mapped_column(Date)
    recommended_basis: Mapped[str | None] = mapped_column(String(500))
    contracts: Mapped[int] = mapped_column(Integer, default=0)


class BidderAnnualReport(Base):
    """An annual work report as registry reported it: submitted (AR-1) and reviewed (AR-4)."""

    __tablename__ = "bidder_annual_report"

    uscc: Mapped[str] = mapped_column(String(18), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    submitted_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    late: Mapped[bool | None] = mapped_column(Boolean)
    result: Mapped[str | None] = mapped_column(String(10))
    reviewed_on: Mapped[date | None] = mapped_column(Date)


class BidderViolation(Base):
    """A major violation (PROC-4 item 6): serious-list listing (CR-12), suspension, revocation or cancellation."""

    __tablename__ = "bidder_violation"
    __table_args__ = (UniqueConstraint("uscc", "kind", "occurred_on", name="uq_bidder_violation_fact"),)

    violation_id: Mapped[int] = mapped_column(BigIntPK, primary_key=True, autoincrement=True)
    uscc: Mapped[str] = mapped_column(String(18), index=True)
    kind: Mapped[str] = mapped_column(String(40))
    rule: Mapped[str] = mapped_column(String(40))
    reason: Mapped[str] = mapped_column(String(500))
    occurred_on: Mapped[date] = mapped_column(Date)
