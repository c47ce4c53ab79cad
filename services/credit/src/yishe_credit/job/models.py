from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Date, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from yishe_kit.db import BigIntPK, UtcDateTime

from ..db import Base


class DailyRun(Base):
    """One run of the daily job and what it changed."""

    __tablename__ = "daily_run"

    run_id: Mapped[int] = mapped_column(BigIntPK, primary_key=True, autoincrement=True)
    as_of: Mapped[date] = mapped_column(Date, index=True)
    ran_at: Mapped[datetime] = mapped_column(UtcDateTime())
    ran_by: Mapped[str] = mapped_column(String(160))
    change_count: Mapped[int] = mapped_column(Integer)
    changes: Mapped[list] = mapped_column(JSON)
