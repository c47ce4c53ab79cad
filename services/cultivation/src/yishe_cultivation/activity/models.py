from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from yishe_kit.db import BigIntPK, UtcDateTime

from ..db import Base


class Activity(Base):
    """One activity of a community organisation (PLAT-5): registered ones by USCC, filed ones by filing number."""

    __tablename__ = "cult_activity"
    __table_args__ = (UniqueConstraint("org_key", "ref", name="uq_cult_activity_org_key_ref"),)

    activity_id: Mapped[int] = mapped_column(BigIntPK, primary_key=True, autoincrement=True)
    org_key: Mapped[str] = mapped_column(String(40), index=True)
    """The USCC, or the filing number of a filed organisation."""
    uscc: Mapped[str | None] = mapped_column(String(18))
    filing_no: Mapped[str | None] = mapped_column(String(40))
    division_code: Mapped[str] = mapped_column(String(6), index=True)
    township_code: Mapped[str | None] = mapped_column(String(9))
    activity_date: Mapped[date] = mapped_column(Date, index=True)
    kind: Mapped[str] = mapped_column(String(40))
    title: Mapped[str | None] = mapped_column(String(200))
    participants: Mapped[int] = mapped_column(Integer)
    residents: Mapped[int] = mapped_column(Integer)
    ref: Mapped[str | None] = mapped_column(String(80))
    """The recorder's own reference (an import's row id): the same reference twice is the same activity."""
    recorded_by: Mapped[str] = mapped_column(String(160))
    recorded_at: Mapped[datetime] = mapped_column(UtcDateTime())


class InactiveListing(Base):
    """A community organisation put on a year's inactive list (published once: cultivation.inactive.listed.v1)."""

    __tablename__ = "cult_inactive_listing"
    __table_args__ = (UniqueConstraint("org_key", "year", name="uq_cult_inactive_listing_org_key_year"),)

    listing_id: Mapped[int] = mapped_column(BigIntPK, primary_key=True, autoincrement=True)
    org_key: Mapped[str] = mapped_column(String(40))
    uscc: Mapped[str | None] = mapped_column(String(18))
    filing_no: Mapped[str | None] = mapped_column(String(40))
    year: Mapped[int] = mapped_column(Integer)
    listed_on: Mapped[date] = mapped_column(Date)
    listed_by: Mapped[str] = mapped_column(String(160))
