from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, String
from sqlalchemy.orm import Mapped, mapped_column

from yishe_kit.db import UtcDateTime

from ..db import Base


class Bidder(Base):
    """What procurement knows of an organisation; each source fills its own columns (events may come in any order)."""

    __tablename__ = "bidder"

    uscc: Mapped[str] = mapped_column(String(18), primary_key=True)
    name: Mapped[str | None] = mapped_column(String(200))
    org_type: Mapped[str | None] = mapped_column(String(20))
    division_code: Mapped[str | None] = mapped_column(String(6), index=True)
    registration_status: Mapped[str | None] = mapped_column(String(20))
    credit_colour: Mapped[str | None] = mapped_column(String(10))
    abnormal_listed: Mapped[bool | None] = mapped_column(Boolean)
    serious_listed: Mapped[bool | None] = mapped_column(Boolean)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime())
