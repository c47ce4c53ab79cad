from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Date, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from yishe_kit.db import BigIntPK, UtcDateTime

from ..db import Base


class DisclosureObligation(Base):
    """One thing the undertaker must publish by a date, and where and when it did."""

    __tablename__ = "disclosure_obligation"

    obligation_id: Mapped[int] = mapped_column(BigIntPK, primary_key=True, autoincrement=True)
    contract_id: Mapped[str] = mapped_column(ForeignKey("contract.contract_id"), index=True)
    uscc: Mapped[str] = mapped_column(String(18), index=True)
    division_code: Mapped[str] = mapped_column(String(6), index=True)
    kind: Mapped[str] = mapped_column(String(30))
    label: Mapped[str] = mapped_column(String(200))
    due_date: Mapped[date] = mapped_column(Date, index=True)
    published_on: Mapped[date | None] = mapped_column(Date)
    channel: Mapped[str | None] = mapped_column(String(200))
    url: Mapped[str | None] = mapped_column(String(500))
    overdue: Mapped[bool] = mapped_column(Boolean, default=False)
    recorded_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
