from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Date, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from yishe_kit.db import BigIntPK, UtcDateTime

from ..db import Base


class Organisation(Base):
    __tablename__ = "organisation"

    uscc: Mapped[str] = mapped_column(String(18), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    name_normalised: Mapped[str] = mapped_column(String(200), unique=True)
    org_type: Mapped[str] = mapped_column(String(20))
    division_code: Mapped[str] = mapped_column(String(6), index=True)
    address: Mapped[str] = mapped_column(String(500))
    legal_rep_name: Mapped[str] = mapped_column(String(100))
    legal_rep_id_number: Mapped[str | None] = mapped_column(String(18))
    legal_rep_phone: Mapped[str | None] = mapped_column(String(20))
    business_scope: Mapped[str] = mapped_column(Text)
    supervisory_unit: Mapped[str | None] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(20), index=True)
    registration_date: Mapped[date] = mapped_column(Date)
    registered_at: Mapped[datetime] = mapped_column(UtcDateTime())
    party_full_members: Mapped[int] = mapped_column(Integer, default=0)
    party_probationary_members: Mapped[int] = mapped_column(Integer, default=0)


class OrganisationHistory(Base):
    """Append-only trail: who (user, role), when, what changed (before/after), why."""

    __tablename__ = "organisation_history"

    history_id: Mapped[int] = mapped_column(BigIntPK, primary_key=True, autoincrement=True)
    uscc: Mapped[str] = mapped_column(String(18), index=True)
    action: Mapped[str] = mapped_column(String(50))
    actor: Mapped[str] = mapped_column(String(100))
    actor_role: Mapped[str] = mapped_column(String(50))
    at: Mapped[datetime] = mapped_column(UtcDateTime())
    before: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    after: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    reason: Mapped[str | None] = mapped_column(Text)


class UsccSequence(Base):
    """Next organisation-code body per registering authority (division), for USCC issuance."""

    __tablename__ = "uscc_sequence"

    division_code: Mapped[str] = mapped_column(String(6), primary_key=True)
    next_value: Mapped[int] = mapped_column(Integer)
