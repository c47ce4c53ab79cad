from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import BigInteger, Boolean, Date, Integer, String, false
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
    registration_date: Mapped[date | None] = mapped_column(Date)
    supervisory_unit: Mapped[str | None] = mapped_column(String(200))
    sector: Mapped[str | None] = mapped_column(String(100))
    trade_association: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    community: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    affiliation_type: Mapped[str | None] = mapped_column(String(40))
    responsible_party_org_id: Mapped[str | None] = mapped_column(String(200))
    responsible_party_org_name: Mapped[str | None] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(30), default="active", server_default="active")
    status_effective_date: Mapped[date | None] = mapped_column(Date)
    formation_due: Mapped[date | None] = mapped_column(Date)
    route_changed_on: Mapped[date | None] = mapped_column(Date)
    capture_done_on: Mapped[date | None] = mapped_column(Date)
    party_org_id: Mapped[int | None] = mapped_column(BigInteger)
    """The Party organisation currently covering it (own or joint), kept by the party_org domain."""
    party_org_formation: Mapped[str | None] = mapped_column(String(20))
    work_covers: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    """Active instructor / liaison / "1+N" covers, kept by the talent domain."""
    coverage_flag: Mapped[str | None] = mapped_column(String(20))
    """The coverage state last published (covered / uncovered / left), so CoverageChanged goes out only on change."""
    coverage_required: Mapped[bool | None] = mapped_column(Boolean)
    coverage_as_of: Mapped[date | None] = mapped_column(Date)


class PartyCountChange(Base):
    """History of an organisation's member counts and the route they imply (dated, for reports as of a day)."""

    __tablename__ = "party_count_change"

    change_id: Mapped[int] = mapped_column(BigIntPK, primary_key=True, autoincrement=True)
    uscc: Mapped[str] = mapped_column(String(18), index=True)
    effective_on: Mapped[date] = mapped_column(Date)
    full_members: Mapped[int] = mapped_column(Integer)
    probationary_members: Mapped[int] = mapped_column(Integer)
    route: Mapped[str] = mapped_column(String(30))
    reason: Mapped[str] = mapped_column(String(40))
    member_id: Mapped[int | None] = mapped_column(BigInteger)
    actor: Mapped[str] = mapped_column(String(100))
    recorded_at: Mapped[datetime] = mapped_column(UtcDateTime())
