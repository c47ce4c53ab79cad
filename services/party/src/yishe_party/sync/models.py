from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from yishe_kit.db import BigIntPK, UtcDateTime

from ..db import Base


class SyncStep(Base):
    """One synchronised step for one period: registration, charter (per version), annual report (per year),
    spot check, evaluation (per year) or training. Kept even when it arrives before the record (events race)."""

    __tablename__ = "party_sync_step"
    __table_args__ = (UniqueConstraint("uscc", "step", "period"),)

    step_id: Mapped[int] = mapped_column(BigIntPK, primary_key=True, autoincrement=True)
    uscc: Mapped[str] = mapped_column(String(18), index=True)
    step: Mapped[str] = mapped_column(String(30))
    period: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(20))
    """done, or missing (the step happened without its Party-building part)."""
    rule: Mapped[str] = mapped_column(String(20))
    detail: Mapped[str | None] = mapped_column(String(500))
    occurred_on: Mapped[date] = mapped_column(Date)
    recorded_by: Mapped[str] = mapped_column(String(100))
    recorded_at: Mapped[datetime] = mapped_column(UtcDateTime())
