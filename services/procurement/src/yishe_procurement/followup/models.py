from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from yishe_kit.db import BigIntPK, UtcDateTime

from ..db import Base


class FollowUp(Base):
    """A scheduled follow-up slot of a contract; filled when the follow-up is recorded."""

    __tablename__ = "follow_up"
    __table_args__ = (UniqueConstraint("contract_id", "seq", name="uq_follow_up_seq"),)

    follow_up_id: Mapped[int] = mapped_column(BigIntPK, primary_key=True, autoincrement=True)
    contract_id: Mapped[str] = mapped_column(ForeignKey("contract.contract_id"), index=True)
    division_code: Mapped[str] = mapped_column(String(6), index=True)
    seq: Mapped[int] = mapped_column(Integer)
    due_date: Mapped[date] = mapped_column(Date, index=True)
    done_on: Mapped[date | None] = mapped_column(Date)
    followed_by: Mapped[str | None] = mapped_column(String(200))
    method: Mapped[str | None] = mapped_column(String(20))
    findings: Mapped[str | None] = mapped_column(Text)
    progress_percent: Mapped[int | None] = mapped_column(Integer)
    subcontracting_observed: Mapped[bool] = mapped_column(Boolean, default=False)
    overdue: Mapped[bool] = mapped_column(Boolean, default=False)
    recorded_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
