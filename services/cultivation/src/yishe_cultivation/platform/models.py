from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import JSON, BigInteger, Boolean, Date, ForeignKey, Integer, Numeric, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from yishe_kit.db import BigIntPK, UtcDateTime

from ..db import Base


class Platform(Base):
    """A township/street social-organisation service platform (枢纽型 / 社区社会组织服务中心), one per township."""

    __tablename__ = "cult_platform"

    platform_id: Mapped[int] = mapped_column(BigIntPK, primary_key=True, autoincrement=True)
    township_code: Mapped[str] = mapped_column(String(9), unique=True)
    division_code: Mapped[str] = mapped_column(String(6), index=True)
    name: Mapped[str] = mapped_column(String(200))
    operator_uscc: Mapped[str | None] = mapped_column(String(18))
    operator_name: Mapped[str | None] = mapped_column(String(200))
    operator_local: Mapped[bool | None] = mapped_column(Boolean)
    space_m2: Mapped[Decimal | None] = mapped_column(Numeric(10, 2))
    full_time_social_workers: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    physical_operation: Mapped[bool] = mapped_column(Boolean)
    operating_since: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime())


class Assessment(Base):
    """A platform's yearly assessment on the 100-point rubric (PLAT-1..3): one per platform and year."""

    __tablename__ = "cult_assessment"
    __table_args__ = (UniqueConstraint("platform_id", "year", name="uq_cult_assessment_platform_id_year"),)

    assessment_id: Mapped[int] = mapped_column(BigIntPK, primary_key=True, autoincrement=True)
    platform_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("cult_platform.platform_id"), index=True)
    year: Mapped[int] = mapped_column(Integer)
    total: Mapped[Decimal] = mapped_column(Numeric(6, 2))
    band: Mapped[str] = mapped_column(String(10))
    items: Mapped[list] = mapped_column(JSON)
    """[{code, label, points, score, evidence: [..], note}]"""
    assessor: Mapped[str] = mapped_column(String(200))
    assessed_on: Mapped[date] = mapped_column(Date)
    recorded_by: Mapped[str] = mapped_column(String(160))
    recorded_at: Mapped[datetime] = mapped_column(UtcDateTime())
