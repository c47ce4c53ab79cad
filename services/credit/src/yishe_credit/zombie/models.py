from __future__ import annotations

from datetime import date

from sqlalchemy import JSON, Boolean, Date, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from yishe_kit.db import BigIntPK

from ..db import Base


class ZombieDecision(Base):
    """The bureau's decision on a zombie candidate, with the evidence it rested on."""

    __tablename__ = "zombie_decision"

    decision_id: Mapped[int] = mapped_column(BigIntPK, primary_key=True, autoincrement=True)
    uscc: Mapped[str] = mapped_column(String(18), index=True)
    confirmed: Mapped[bool] = mapped_column(Boolean)
    evidence: Mapped[list] = mapped_column(JSON)
    decided_on: Mapped[date] = mapped_column(Date)
    decided_by: Mapped[str] = mapped_column(String(200))
    recorded_by: Mapped[str] = mapped_column(String(160))


class CommunityInactivity(Base):
    """A community organisation cultivation listed as without any activity in a year (cultivation.inactive.listed.v1,
    PLAT-5): evidence for the "no activity" zombie signal."""

    __tablename__ = "community_inactivity"
    __table_args__ = (UniqueConstraint("uscc", "year", name="uq_community_inactivity_uscc_year"),)

    inactivity_id: Mapped[int] = mapped_column(BigIntPK, primary_key=True, autoincrement=True)
    uscc: Mapped[str] = mapped_column(String(18), index=True)
    year: Mapped[int] = mapped_column(Integer)
    listed_on: Mapped[date] = mapped_column(Date)
    last_activity_on: Mapped[date | None] = mapped_column(Date)
