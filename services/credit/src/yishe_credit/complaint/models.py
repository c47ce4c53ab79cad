from __future__ import annotations

from datetime import date

from sqlalchemy import Boolean, Date, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from yishe_kit.db import BigIntPK

from ..db import Base


class Complaint(Base):
    """A complaint or report from the public; the complainant's contact is personal data (staff only, masked)."""

    __tablename__ = "complaint"

    complaint_id: Mapped[int] = mapped_column(BigIntPK, primary_key=True, autoincrement=True)
    tracking_code: Mapped[str] = mapped_column(String(16), unique=True)
    kind: Mapped[str] = mapped_column(String(12))  # complaint report illegal_org
    target_uscc: Mapped[str | None] = mapped_column(String(18), index=True)
    target_name: Mapped[str] = mapped_column(String(200))
    content: Mapped[str] = mapped_column(Text)
    anonymous: Mapped[bool] = mapped_column(Boolean)
    complainant_name: Mapped[str | None] = mapped_column(String(100))
    complainant_phone: Mapped[str | None] = mapped_column(String(20))
    channel: Mapped[str] = mapped_column(String(20))
    received_on: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(10), index=True)  # received accepted rejected assigned closed
    triage_due: Mapped[date] = mapped_column(Date)
    triaged_on: Mapped[date | None] = mapped_column(Date)
    category: Mapped[str | None] = mapped_column(String(60))
    triage_note: Mapped[str | None] = mapped_column(Text)
    handling_due: Mapped[date | None] = mapped_column(Date)
    assignee: Mapped[str | None] = mapped_column(String(100))
    assigned_unit: Mapped[str | None] = mapped_column(String(200))
    assigned_on: Mapped[date | None] = mapped_column(Date)
    outcome: Mapped[str | None] = mapped_column(String(16))  # substantiated unsubstantiated
    finding: Mapped[str | None] = mapped_column(Text)
    reward: Mapped[bool] = mapped_column(Boolean, default=False)
    record_id: Mapped[int | None] = mapped_column(BigIntPK)
    closed_on: Mapped[date | None] = mapped_column(Date)
