from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from yishe_kit.db import BigIntPK, UtcDateTime

from ..db import Base


class CreditProfile(Base):
    __tablename__ = "credit_profile"

    uscc: Mapped[str] = mapped_column(String(18), primary_key=True)
    org_name: Mapped[str] = mapped_column(String(200))
    division_code: Mapped[str] = mapped_column(String(6), index=True)
    org_type: Mapped[str] = mapped_column(String(20))
    colour: Mapped[str] = mapped_column(String(10), index=True)
    colour_rule: Mapped[str] = mapped_column(String(40))
    colour_reason: Mapped[str] = mapped_column(Text)
    abnormal_listed: Mapped[bool] = mapped_column(Boolean, default=False)
    serious_listed: Mapped[bool] = mapped_column(Boolean, default=False)
    opened_at: Mapped[datetime] = mapped_column(UtcDateTime())


class ColourChange(Base):
    """Append-only colour history of an organisation, each change with its rule and reason."""

    __tablename__ = "colour_change"

    change_id: Mapped[int] = mapped_column(BigIntPK, primary_key=True, autoincrement=True)
    uscc: Mapped[str] = mapped_column(String(18), index=True)
    from_colour: Mapped[str | None] = mapped_column(String(10))
    to_colour: Mapped[str] = mapped_column(String(10))
    rule: Mapped[str] = mapped_column(String(40))
    reason: Mapped[str] = mapped_column(Text)
    at: Mapped[datetime] = mapped_column(UtcDateTime())
