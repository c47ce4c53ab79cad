from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, String
from sqlalchemy.orm import Mapped, mapped_column

from yishe_kit.db import BigIntPK, UtcDateTime

from ..db import Base


class PartyFiling(Base):
    """A filed (备案) community organisation (registry.filing.changed.v1): no USCC, a filing number (PARTY-13)."""

    __tablename__ = "party_filing"

    filing_no: Mapped[str] = mapped_column(String(40), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    division_code: Mapped[str] = mapped_column(String(6), index=True)
    township_code: Mapped[str] = mapped_column(String(9))
    status: Mapped[str] = mapped_column(String(20))
    uscc: Mapped[str | None] = mapped_column(String(18))


class CommunityReport(Base):
    """PARTY-13 报到: a community organisation reports to its community (village) Party organisation."""

    __tablename__ = "party_community_report"

    report_id: Mapped[int] = mapped_column(BigIntPK, primary_key=True, autoincrement=True)
    uscc: Mapped[str | None] = mapped_column(String(18), index=True)
    filing_no: Mapped[str | None] = mapped_column(String(40), index=True)
    org_name: Mapped[str] = mapped_column(String(200))
    division_code: Mapped[str] = mapped_column(String(6), index=True)
    township_code: Mapped[str | None] = mapped_column(String(9))
    party_org_name: Mapped[str] = mapped_column(String(200))
    """The community (village) Party organisation reported to."""
    reported_on: Mapped[date] = mapped_column(Date)
    ended_on: Mapped[date | None] = mapped_column(Date)
    recorded_by: Mapped[str] = mapped_column(String(160))
    recorded_at: Mapped[datetime] = mapped_column(UtcDateTime())
