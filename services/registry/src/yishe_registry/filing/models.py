from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from yishe_kit.db import UtcDateTime

from ..db import Base


class Filing(Base):
    """A filed (备案) community organisation: 初创型 or 成长型, managed by the township/street."""

    __tablename__ = "filing"

    filing_no: Mapped[str] = mapped_column(String(20), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    name_normalised: Mapped[str] = mapped_column(String(200), index=True)
    org_type: Mapped[str] = mapped_column(String(20))
    community_class: Mapped[str] = mapped_column(String(10))
    division_code: Mapped[str] = mapped_column(String(6), index=True)
    township_code: Mapped[str] = mapped_column(String(12), index=True)
    township: Mapped[str] = mapped_column(String(50))
    village: Mapped[str | None] = mapped_column(String(50))
    address: Mapped[str | None] = mapped_column(String(500))
    business_scope: Mapped[str] = mapped_column(Text)
    leader_name: Mapped[str] = mapped_column(String(100))
    leader_phone: Mapped[str | None] = mapped_column(String(20))
    members: Mapped[int] = mapped_column(Integer)
    guiding_party_org: Mapped[str | None] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(20), index=True)  # filed | cancelled | registered
    uscc: Mapped[str | None] = mapped_column(String(18))
    filed_on: Mapped[date] = mapped_column(Date)
    filed_by: Mapped[str] = mapped_column(String(100))
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime())


class FilingSequence(Base):
    __tablename__ = "filing_sequence"

    township_code: Mapped[str] = mapped_column(String(12), primary_key=True)
    next_value: Mapped[int] = mapped_column(Integer)
