from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import JSON, Integer, Numeric, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from yishe_kit.db import BigIntPK, UtcDateTime

from ..db import Base


class TargetSet(Base):
    """The targets a division sets itself for a year (seed profiles or its own), with the figures only it knows
    (e.g. new public-service purchase spending, the denominator of the purchase shares)."""

    __tablename__ = "cult_target_set"
    __table_args__ = (UniqueConstraint("division_code", "year", name="uq_cult_target_set_division_code_year"),)

    set_id: Mapped[int] = mapped_column(BigIntPK, primary_key=True, autoincrement=True)
    division_code: Mapped[str] = mapped_column(String(12), index=True)
    year: Mapped[int] = mapped_column(Integer)
    label: Mapped[str] = mapped_column(String(200))
    profile: Mapped[str | None] = mapped_column(String(40))
    targets: Mapped[dict] = mapped_column(JSON)
    """indicator → [comparator, value]"""
    purchase_spending: Mapped[Decimal | None] = mapped_column(Numeric(16, 2))
    """新增公共服务支出通过政府购买服务安排的部分 (yuan): denominator of the purchase shares."""
    created_by: Mapped[str] = mapped_column(String(160))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
