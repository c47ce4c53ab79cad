from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, Date, ForeignKey, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from yishe_kit.db import BigIntPK, UtcDateTime

from ..db import Base


class PanelMember(Base):
    __tablename__ = "panel_member"
    __table_args__ = (UniqueConstraint("project_id", "name", name="uq_panel_member_name"),)

    member_id: Mapped[int] = mapped_column(BigIntPK, primary_key=True, autoincrement=True)
    project_id: Mapped[str] = mapped_column(ForeignKey("project.project_id"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    role: Mapped[str] = mapped_column(String(30))
    affiliation: Mapped[str | None] = mapped_column(String(200))


class PanelScore(Base):
    __tablename__ = "panel_score"
    __table_args__ = (UniqueConstraint("member_id", "bid_id", name="uq_panel_score_member_bid"),)

    score_id: Mapped[int] = mapped_column(BigIntPK, primary_key=True, autoincrement=True)
    project_id: Mapped[str] = mapped_column(ForeignKey("project.project_id"), index=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("panel_member.member_id"))
    bid_id: Mapped[str] = mapped_column(ForeignKey("bid.bid_id"))
    score: Mapped[Decimal] = mapped_column(Numeric(5, 2))
    comment: Mapped[str | None] = mapped_column(Text)
    scored_at: Mapped[datetime] = mapped_column(UtcDateTime())


class Award(Base):
    """The award decision (中标/成交) with the full ranking it rested on."""

    __tablename__ = "award"

    award_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    project_id: Mapped[str] = mapped_column(ForeignKey("project.project_id"), unique=True)
    bid_id: Mapped[str] = mapped_column(ForeignKey("bid.bid_id"))
    uscc: Mapped[str] = mapped_column(String(18), index=True)
    org_name: Mapped[str] = mapped_column(String(200))
    amount: Mapped[Decimal] = mapped_column(Numeric(14, 2))
    award_date: Mapped[date] = mapped_column(Date)
    decided_by: Mapped[str] = mapped_column(String(40))
    ranking: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
