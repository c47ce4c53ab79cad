from __future__ import annotations

from datetime import date

from sqlalchemy import Date, String
from sqlalchemy.orm import Mapped, mapped_column

from yishe_kit.db import BigIntPK

from ..db import Base


class Mailing(Base):
    """One dedicated letter: tracking number, dates and whether anyone signed for it (evidence for CR-7)."""

    __tablename__ = "mailing"

    mailing_id: Mapped[int] = mapped_column(BigIntPK, primary_key=True, autoincrement=True)
    uscc: Mapped[str] = mapped_column(String(18), index=True)
    tracking_number: Mapped[str] = mapped_column(String(60), unique=True)
    address: Mapped[str] = mapped_column(String(300))
    sent_on: Mapped[date] = mapped_column(Date)
    outcome: Mapped[str] = mapped_column(String(10))  # pending signed unsigned
    outcome_on: Mapped[date | None] = mapped_column(Date)
    sequence: Mapped[int] = mapped_column()  # 1 = first letter of a CR-7 pair, 2 = second
    recorded_by: Mapped[str] = mapped_column(String(160))
    entry_id: Mapped[int | None] = mapped_column(BigIntPK)
