from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import Date, Numeric, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from yishe_kit.db import BigIntPK, UtcDateTime

from ..db import Base


class Reward(Base):
    """A first-time 3A/4A/5A one-off reward (EVAL-10) in the payable ledger: never twice for the same level."""

    __tablename__ = "cult_reward"
    __table_args__ = (UniqueConstraint("uscc", "grade", name="uq_cult_reward_uscc_grade"),)

    reward_id: Mapped[int] = mapped_column(BigIntPK, primary_key=True, autoincrement=True)
    uscc: Mapped[str] = mapped_column(String(18), index=True)
    name: Mapped[str] = mapped_column(String(200))
    division_code: Mapped[str] = mapped_column(String(6), index=True)
    grade: Mapped[str] = mapped_column(String(2))
    amount: Mapped[Decimal] = mapped_column(Numeric(12, 2))
    locality: Mapped[str] = mapped_column(String(12))
    """The settings prefix whose amounts applied ("" = the default)."""
    awarded_on: Mapped[date] = mapped_column(Date)
    source: Mapped[str] = mapped_column(String(20))
    """event (registry.grade.changed.v1) | claim (entered by staff)"""
    source_event_id: Mapped[str | None] = mapped_column(String(36))
    status: Mapped[str] = mapped_column(String(20))
    approved_on: Mapped[date | None] = mapped_column(Date)
    approved_by: Mapped[str | None] = mapped_column(String(160))
    paid_on: Mapped[date | None] = mapped_column(Date)
    paid_by: Mapped[str | None] = mapped_column(String(160))
    voucher: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
