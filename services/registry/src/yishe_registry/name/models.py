from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Date, String, false
from sqlalchemy.orm import Mapped, mapped_column

from yishe_kit.db import BigIntPK, UtcDateTime

from ..db import Base


class NameClaim(Base):
    """One row per name key in use (reserved, registered or filed): the primary key makes exactly one holder win."""

    __tablename__ = "name_claim"

    name_normalised: Mapped[str] = mapped_column(String(200), primary_key=True)
    holder_type: Mapped[str] = mapped_column(String(20))  # reservation | organisation | filing
    holder_id: Mapped[str] = mapped_column(String(40), index=True)
    claimed_at: Mapped[datetime] = mapped_column(UtcDateTime())


class NameReservation(Base):
    """名称核准 / 名称预留: a name kept for an applicant until it is used, released or expires."""

    __tablename__ = "name_reservation"

    reservation_id: Mapped[int] = mapped_column(BigIntPK, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(200))
    name_normalised: Mapped[str] = mapped_column(String(200), index=True)
    org_type: Mapped[str] = mapped_column(String(20))
    division_code: Mapped[str] = mapped_column(String(6), index=True)
    community_class: Mapped[str | None] = mapped_column(String(10))
    township: Mapped[str | None] = mapped_column(String(50))
    village: Mapped[str | None] = mapped_column(String(50))
    category: Mapped[str | None] = mapped_column(String(20))
    sector: Mapped[str | None] = mapped_column(String(100))
    sector_key: Mapped[str | None] = mapped_column(String(100))
    is_industry_association: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    applicant: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(20), index=True)  # reserved | in_application | used | ...
    reserved_on: Mapped[date] = mapped_column(Date)
    expires_on: Mapped[date] = mapped_column(Date, index=True)
    used_by: Mapped[str | None] = mapped_column(String(40))
    segments: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    created_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
