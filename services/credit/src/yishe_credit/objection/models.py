from __future__ import annotations

from datetime import date

from sqlalchemy import JSON, Boolean, Date, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from yishe_kit.db import BigIntPK

from ..db import Base


class Objection(Base):
    """An objection to a list entry or a credit record, with the three CR-15 deadlines."""

    __tablename__ = "objection"

    objection_id: Mapped[int] = mapped_column(BigIntPK, primary_key=True, autoincrement=True)
    uscc: Mapped[str] = mapped_column(String(18), index=True)
    target_type: Mapped[str] = mapped_column(String(10))  # listing record
    target_id: Mapped[int] = mapped_column(BigIntPK)
    reason: Mapped[str] = mapped_column(Text)
    evidence: Mapped[list] = mapped_column(JSON)
    submitted_on: Mapped[date] = mapped_column(Date)
    submitted_by: Mapped[str] = mapped_column(String(160))
    # submitted accepted rejected upheld dismissed corrected
    status: Mapped[str] = mapped_column(String(12), index=True)
    accept_due: Mapped[date] = mapped_column(Date)
    accepted_on: Mapped[date | None] = mapped_column(Date)
    acceptance_note: Mapped[str | None] = mapped_column(Text)
    verify_due: Mapped[date | None] = mapped_column(Date)
    verified_on: Mapped[date | None] = mapped_column(Date)
    upheld: Mapped[bool | None] = mapped_column(Boolean)
    finding: Mapped[str | None] = mapped_column(Text)
    correct_due: Mapped[date | None] = mapped_column(Date)
    corrected_on: Mapped[date | None] = mapped_column(Date)
    correction: Mapped[str | None] = mapped_column(Text)
