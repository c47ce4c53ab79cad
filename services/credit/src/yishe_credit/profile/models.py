from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Boolean, Date, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from yishe_kit.db import BigIntPK, UtcDateTime

from ..db import Base


class CreditProfile(Base):
    """An organisation's credit profile: its current colour and the facts other services told us (read model)."""

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
    colour_as_of: Mapped[date | None] = mapped_column(Date)
    colour_until: Mapped[date | None] = mapped_column(Date)
    registration_date: Mapped[date | None] = mapped_column(Date)
    registration_status: Mapped[str] = mapped_column(String(30), default="active", server_default="active")
    status_since: Mapped[date | None] = mapped_column(Date)
    grade: Mapped[str | None] = mapped_column(String(2))
    grade_valid_until: Mapped[date | None] = mapped_column(Date)
    grade_downgraded_on: Mapped[date | None] = mapped_column(Date)
    party_required: Mapped[bool | None] = mapped_column(Boolean)
    party_covered: Mapped[bool | None] = mapped_column(Boolean)
    last_activity_on: Mapped[date | None] = mapped_column(Date)


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
    as_of: Mapped[date | None] = mapped_column(Date)
    until: Mapped[date | None] = mapped_column(Date)


class EarlyWarning(Base):
    """A staff-raised early warning (CODE-3 yellow) for facts no event carries, e.g. REG-10 term or age limits."""

    __tablename__ = "early_warning"

    warning_id: Mapped[int] = mapped_column(BigIntPK, primary_key=True, autoincrement=True)
    uscc: Mapped[str] = mapped_column(String(18), index=True)
    rule: Mapped[str] = mapped_column(String(20))
    reason: Mapped[str] = mapped_column(Text)
    evidence: Mapped[list] = mapped_column(JSON)
    raised_on: Mapped[date] = mapped_column(Date)
    raised_by: Mapped[str] = mapped_column(String(120))
    resolved_on: Mapped[date | None] = mapped_column(Date)
    resolution: Mapped[str | None] = mapped_column(Text)
