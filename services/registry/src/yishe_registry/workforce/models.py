from __future__ import annotations

from datetime import date

from sqlalchemy import Date, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from yishe_kit.db import BigIntPK

from ..db import Base


class WorkforceFigure(Base):
    """One organisation's workforce in one year; the latest filing (annual report or change) wins (WORK-1)."""

    __tablename__ = "workforce_figure"
    __table_args__ = (UniqueConstraint("uscc", "year", name="uq_workforce_figure_uscc_year"),)

    figure_id: Mapped[int] = mapped_column(BigIntPK, primary_key=True, autoincrement=True)
    uscc: Mapped[str] = mapped_column(String(18), index=True)
    division_code: Mapped[str] = mapped_column(String(6), index=True)
    year: Mapped[int] = mapped_column(Integer, index=True)
    full_time_staff: Mapped[int] = mapped_column(Integer)
    certified_social_workers: Mapped[int] = mapped_column(Integer)
    volunteers: Mapped[int] = mapped_column(Integer)
    source: Mapped[str] = mapped_column(String(20))  # annual_report | change
    reported_on: Mapped[date] = mapped_column(Date)
    reported_by: Mapped[str] = mapped_column(String(100))
