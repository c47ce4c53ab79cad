from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, BigInteger, Boolean, Date, Integer, Numeric, String, Text, false
from sqlalchemy.orm import Mapped, mapped_column

from yishe_kit.db import BigIntPK, UtcDateTime

from ..db import Base


class Application(Base):
    """设立登记申请: everything the conditions and the joint review need, kept until registration or refusal."""

    __tablename__ = "application"

    application_id: Mapped[int] = mapped_column(BigIntPK, primary_key=True, autoincrement=True)
    status: Mapped[str] = mapped_column(String(20), index=True)
    reservation_id: Mapped[int] = mapped_column(BigInteger, index=True)
    name: Mapped[str] = mapped_column(String(200))
    org_type: Mapped[str] = mapped_column(String(20))
    division_code: Mapped[str] = mapped_column(String(6), index=True)
    community_class: Mapped[str | None] = mapped_column(String(10))
    category: Mapped[str | None] = mapped_column(String(20))
    sector: Mapped[str | None] = mapped_column(String(100))
    supervisory_unit: Mapped[str | None] = mapped_column(String(200))
    address: Mapped[str] = mapped_column(String(500))
    business_scope: Mapped[str] = mapped_column(Text)
    purpose: Mapped[str | None] = mapped_column(Text)
    legal_rep: Mapped[dict[str, Any]] = mapped_column(JSON)  # personal data: never in events
    individual_members: Mapped[int] = mapped_column(Integer, default=0)
    unit_members: Mapped[int] = mapped_column(Integer, default=0)
    activity_funds: Mapped[Decimal] = mapped_column(Numeric(14, 2))
    public_fundraising: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    community_development_foundation: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    directors: Mapped[int | None] = mapped_column(Integer)
    commitment_route: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    leaders: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    founders: Mapped[list[str]] = mapped_column(JSON)
    party_members: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    charter_text: Mapped[str] = mapped_column(Text)
    filing_no: Mapped[str | None] = mapped_column(String(20))
    received_on: Mapped[date] = mapped_column(Date)
    decision_due: Mapped[date] = mapped_column(Date, index=True)
    overdue_marked_on: Mapped[date | None] = mapped_column(Date)
    uscc: Mapped[str | None] = mapped_column(String(18))
    created_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    decided_on: Mapped[date | None] = mapped_column(Date)


class ApplicationStep(Base):
    """One joint-review step: actor, decision, opinion, time (and the notice period for publicity steps)."""

    __tablename__ = "application_step"

    step_id: Mapped[int] = mapped_column(BigIntPK, primary_key=True, autoincrement=True)
    application_id: Mapped[int] = mapped_column(BigInteger, index=True)
    step: Mapped[str] = mapped_column(String(30))
    decision: Mapped[str] = mapped_column(String(20))  # approved | rejected
    opinion: Mapped[str | None] = mapped_column(Text)
    reasons: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON)
    period_from: Mapped[date | None] = mapped_column(Date)
    period_to: Mapped[date | None] = mapped_column(Date)
    actor: Mapped[str] = mapped_column(String(100))
    actor_role: Mapped[str] = mapped_column(String(50))
    at: Mapped[datetime] = mapped_column(UtcDateTime())
    superseded_by: Mapped[str | None] = mapped_column(String(200))
