"""Local read models of other services' facts (STYLE §6: kept from events, never read across databases)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import Boolean, Date, Integer, Numeric, String, false
from sqlalchemy.orm import Mapped, mapped_column

from yishe_kit.db import BigIntPK

from ..db import Base


class Organisation(Base):
    """A registered organisation as cultivation needs it (registry, credit, party events)."""

    __tablename__ = "cult_organisation"

    uscc: Mapped[str] = mapped_column(String(18), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    org_type: Mapped[str] = mapped_column(String(20))
    division_code: Mapped[str] = mapped_column(String(6), index=True)
    township_code: Mapped[str | None] = mapped_column(String(9), index=True)
    """Community organisations: the township/street they belong to (from their filing, or set by staff)."""
    community: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    community_class: Mapped[str | None] = mapped_column(String(40))
    category: Mapped[str | None] = mapped_column(String(40))
    sector: Mapped[str | None] = mapped_column(String(100))
    status: Mapped[str] = mapped_column(String(30), default="active", server_default="active")
    registration_date: Mapped[date] = mapped_column(Date)
    grade: Mapped[str | None] = mapped_column(String(2))
    grade_valid_until: Mapped[date | None] = mapped_column(Date)
    colour: Mapped[str | None] = mapped_column(String(10))
    charity: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    party_uncovered: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    """party.coverage.changed.v1: flagged as not covered by Party work (PARTY-5)."""
    full_time_staff: Mapped[int | None] = mapped_column(Integer)
    """registry.workforce.reported.v1: the latest year's figure (WORK-1)."""
    full_time_staff_year: Mapped[int | None] = mapped_column(Integer)


class Filing(Base):
    """A filed (备案) community organisation (registry.filing.changed.v1): no USCC, a filing number."""

    __tablename__ = "cult_filing"

    filing_no: Mapped[str] = mapped_column(String(40), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    community_class: Mapped[str] = mapped_column(String(40))
    division_code: Mapped[str] = mapped_column(String(6), index=True)
    township_code: Mapped[str] = mapped_column(String(9), index=True)
    status: Mapped[str] = mapped_column(String(20))
    uscc: Mapped[str | None] = mapped_column(String(18))
    changed_on: Mapped[date] = mapped_column(Date)


class GradeEvent(Base):
    """Every grade change (registry.grade.changed.v1), for first-time rewards and 3A+ per year."""

    __tablename__ = "cult_grade_event"

    grade_event_id: Mapped[int] = mapped_column(BigIntPK, primary_key=True, autoincrement=True)
    event_id: Mapped[str] = mapped_column(String(36), unique=True)
    uscc: Mapped[str] = mapped_column(String(18), index=True)
    change: Mapped[str] = mapped_column(String(20))
    grade: Mapped[str | None] = mapped_column(String(2))
    previous_grade: Mapped[str | None] = mapped_column(String(2))
    changed_on: Mapped[date] = mapped_column(Date)


class Contract(Base):
    """A purchase-of-services contract awarded to an organisation (procurement.contract.awarded.v1)."""

    __tablename__ = "cult_contract"

    contract_id: Mapped[str] = mapped_column(String(80), primary_key=True)
    uscc: Mapped[str] = mapped_column(String(18), index=True)
    title: Mapped[str] = mapped_column(String(300))
    amount: Mapped[Decimal] = mapped_column(Numeric(16, 2))
    purchaser: Mapped[str] = mapped_column(String(200))
    awarded_on: Mapped[date] = mapped_column(Date)
