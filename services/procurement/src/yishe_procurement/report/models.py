from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import Boolean, Date, Integer, Numeric, String
from sqlalchemy.orm import Mapped, mapped_column

from yishe_kit.db import UtcDateTime

from ..db import Base


class PurchaseRecord(Base):
    """One purchase-of-services contract for the share reports: signed here (`platform`) or recorded (`external`)."""

    __tablename__ = "purchase_record"

    record_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    source: Mapped[str] = mapped_column(String(10))
    contract_id: Mapped[str | None] = mapped_column(String(36), unique=True)
    department: Mapped[str] = mapped_column(String(200), index=True)
    division_code: Mapped[str] = mapped_column(String(6), index=True)
    year: Mapped[int] = mapped_column(Integer, index=True)
    amount: Mapped[Decimal] = mapped_column(Numeric(14, 2))
    supplier_kind: Mapped[str] = mapped_column(String(30))
    supplier_id: Mapped[str | None] = mapped_column(String(18))
    supplier_name: Mapped[str] = mapped_column(String(200))
    new_spending: Mapped[bool] = mapped_column(Boolean)
    platform_support: Mapped[bool] = mapped_column(Boolean)
    signed_on: Mapped[date] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
