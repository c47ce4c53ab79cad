from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import BigInteger, Boolean, Date, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from yishe_kit.db import BigIntPK, UtcDateTime

from ..db import Base


class IncubationBase(Base):
    """A base of the cultivation system (PARTY-4; seeds 000 / 001): park, station or space, with its Party-mass
    service centre (党群服务中心, Longgang's 两同步: built together)."""

    __tablename__ = "cult_incubation_base"

    base_id: Mapped[int] = mapped_column(BigIntPK, primary_key=True, autoincrement=True)
    level: Mapped[str] = mapped_column(String(30))
    name: Mapped[str] = mapped_column(String(200))
    division_code: Mapped[str] = mapped_column(String(12), index=True)
    operator_uscc: Mapped[str | None] = mapped_column(String(18))
    opened_on: Mapped[date | None] = mapped_column(Date)
    party_centre_name: Mapped[str | None] = mapped_column(String(200))
    party_centre_established_on: Mapped[date | None] = mapped_column(Date)
    party_centre_contact: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())


class Residency(Base):
    """A resident organisation's stay in a base: entry (入驻) and exit (出壳) with dates and reasons."""

    __tablename__ = "cult_residency"

    residency_id: Mapped[int] = mapped_column(BigIntPK, primary_key=True, autoincrement=True)
    base_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("cult_incubation_base.base_id"), index=True)
    uscc: Mapped[str | None] = mapped_column(String(18), index=True)
    filing_no: Mapped[str | None] = mapped_column(String(40))
    team_name: Mapped[str | None] = mapped_column(String(200))
    """A project team not yet registered or filed (重点吸纳…品牌项目团队)."""
    name: Mapped[str] = mapped_column(String(200))
    entered_on: Mapped[date] = mapped_column(Date)
    entry_reason: Mapped[str] = mapped_column(String(500))
    party_incubated: Mapped[bool | None] = mapped_column(Boolean)
    """两同步: the organisation's Party work incubated together with it (PARTY-4)."""
    exited_on: Mapped[date | None] = mapped_column(Date)
    exit_reason: Mapped[str | None] = mapped_column(String(500))
    exit_kind: Mapped[str | None] = mapped_column(String(20))
    """graduated (出壳) | withdrawn | removed"""
    recorded_by: Mapped[str] = mapped_column(String(160))
