from __future__ import annotations

from datetime import date

from sqlalchemy import Date, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from yishe_kit.db import BigIntPK

from ..db import Base


class PublicationWindow(Base):
    """The 信用中国 publication of one listing: tier, minimum and maximum period, repair (信用修复)."""

    __tablename__ = "publication_window"

    window_id: Mapped[int] = mapped_column(BigIntPK, primary_key=True, autoincrement=True)
    uscc: Mapped[str] = mapped_column(String(18), index=True)
    entry_id: Mapped[int] = mapped_column(BigIntPK, unique=True)
    tier: Mapped[str] = mapped_column(String(4))  # 轻微 一般 严重
    published_from: Mapped[date] = mapped_column(Date)
    min_until: Mapped[date] = mapped_column(Date)
    max_until: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(10), index=True)  # published repaired expired withdrawn
    ended_on: Mapped[date | None] = mapped_column(Date)
    end_rule: Mapped[str | None] = mapped_column(String(20))
    end_reason: Mapped[str | None] = mapped_column(Text)
    repair_status: Mapped[str | None] = mapped_column(String(10))  # pending approved refused
    repair_applied_on: Mapped[date | None] = mapped_column(Date)
    repair_commitment: Mapped[str | None] = mapped_column(Text)
    repair_decided_on: Mapped[date | None] = mapped_column(Date)
    repair_decision: Mapped[str | None] = mapped_column(Text)
