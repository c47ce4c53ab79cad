from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from yishe_kit.db import BigIntPK, UtcDateTime

from ..db import Base


class PartyRecord(Base):
    """An organisation's Party-building record (三同步, PARTY-5) with its formation route (PARTY-1..3)."""

    __tablename__ = "party_record"

    uscc: Mapped[str] = mapped_column(String(18), primary_key=True)
    org_name: Mapped[str] = mapped_column(String(200))
    division_code: Mapped[str] = mapped_column(String(6), index=True)
    org_type: Mapped[str] = mapped_column(String(20))
    full_members: Mapped[int] = mapped_column(Integer)
    probationary_members: Mapped[int] = mapped_column(Integer)
    route: Mapped[str] = mapped_column(String(30))
    route_rule: Mapped[str] = mapped_column(String(20))
    capture_task_status: Mapped[str] = mapped_column(String(20))
    capture_task_due: Mapped[date] = mapped_column(Date)
    opened_at: Mapped[datetime] = mapped_column(UtcDateTime())


class PartyMember(Base):
    """A Party member. Personal data: the ID number is kept only masked plus a keyed hash for matching."""

    __tablename__ = "party_member"

    member_id: Mapped[int] = mapped_column(BigIntPK, primary_key=True, autoincrement=True)
    uscc: Mapped[str] = mapped_column(String(18), index=True)
    name: Mapped[str] = mapped_column(String(100))
    status: Mapped[str] = mapped_column(String(20))
    id_number_masked: Mapped[str | None] = mapped_column(String(18))
    id_number_hash: Mapped[str | None] = mapped_column(String(64), index=True)
    phone_masked: Mapped[str | None] = mapped_column(String(20))
    captured_at: Mapped[datetime] = mapped_column(UtcDateTime())
