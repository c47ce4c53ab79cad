from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, BigInteger, Boolean, Date, Index, Integer, Numeric, String, Text, false
from sqlalchemy.orm import Mapped, mapped_column

from yishe_kit.db import BigIntPK, UtcDateTime

from ..db import Base


class Organisation(Base):
    """A registered organisation (登记), keyed by its USCC; the name key is unique through `name_claim`."""

    __tablename__ = "organisation"
    __table_args__ = (
        # Substring search: a pg_trgm GIN index on PostgreSQL, a plain index (exact keys) on SQLite.
        Index("ix_organisation_name_normalised", "name_normalised", postgresql_using="gin",
              postgresql_ops={"name_normalised": "gin_trgm_ops"}),
        # A county's organisations in USCC order: a search page within one division stops after `limit` rows.
        Index("ix_organisation_division_code_uscc", "division_code", "uscc"),
    )

    uscc: Mapped[str] = mapped_column(String(18), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    name_normalised: Mapped[str] = mapped_column(String(200))
    org_type: Mapped[str] = mapped_column(String(20))
    division_code: Mapped[str] = mapped_column(String(6))
    address: Mapped[str] = mapped_column(String(500))
    legal_rep_name: Mapped[str] = mapped_column(String(100))
    legal_rep_id_number: Mapped[str | None] = mapped_column(String(18), index=True)
    legal_rep_phone: Mapped[str | None] = mapped_column(String(20))
    business_scope: Mapped[str] = mapped_column(Text)
    supervisory_unit: Mapped[str | None] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(30), index=True)
    registration_date: Mapped[date] = mapped_column(Date)
    registered_at: Mapped[datetime] = mapped_column(UtcDateTime())
    party_full_members: Mapped[int] = mapped_column(Integer, default=0)
    party_probationary_members: Mapped[int] = mapped_column(Integer, default=0)
    # added by the registration-management issue
    community_class: Mapped[str | None] = mapped_column(String(10))
    category: Mapped[str | None] = mapped_column(String(20))
    sector: Mapped[str | None] = mapped_column(String(100))
    sector_key: Mapped[str | None] = mapped_column(String(100), index=True)
    is_industry_association: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    activity_funds: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))
    grade: Mapped[str | None] = mapped_column(String(2), index=True)
    application_id: Mapped[int | None] = mapped_column(BigInteger)
    filing_no: Mapped[str | None] = mapped_column(String(20))
    source: Mapped[str] = mapped_column(String(20), default="registration", server_default="registration")
    import_batch_id: Mapped[int | None] = mapped_column(BigInteger)
    content_hash: Mapped[str | None] = mapped_column(String(64))
    status_since: Mapped[date | None] = mapped_column(Date)
    suspended_until: Mapped[date | None] = mapped_column(Date)
    notice_from: Mapped[date | None] = mapped_column(Date)
    notice_until: Mapped[date | None] = mapped_column(Date)
    updated_at: Mapped[datetime | None] = mapped_column(UtcDateTime())


class OrganisationLeader(Base):
    """A leader (负责人) in office or past, with what REG-10 needs: birth date, term, consecutive terms."""

    __tablename__ = "organisation_leader"

    leader_id: Mapped[int] = mapped_column(BigIntPK, primary_key=True, autoincrement=True)
    uscc: Mapped[str] = mapped_column(String(18), index=True)
    name: Mapped[str] = mapped_column(String(100))
    role: Mapped[str] = mapped_column(String(30))
    id_number: Mapped[str | None] = mapped_column(String(18))
    birth_date: Mapped[date | None] = mapped_column(Date)
    term_start: Mapped[date] = mapped_column(Date)
    term_end: Mapped[date] = mapped_column(Date)
    consecutive_terms: Mapped[int] = mapped_column(Integer, default=1)
    appointed: Mapped[bool] = mapped_column(Boolean, default=False)
    approved_exception: Mapped[bool] = mapped_column(Boolean, default=False)
    exception_note: Mapped[str | None] = mapped_column(Text)
    current: Mapped[bool] = mapped_column(Boolean, default=True)


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


class LegalRepLock(Base):
    """One row per legal representative's (normalised) ID number, upserted in the transaction that checks and writes
    their post (REG-2/REG-4): on PostgreSQL the upsert holds the row lock until commit, on SQLite it starts the write
    transaction, so two registrations or changes naming the same person are checked one after the other."""

    __tablename__ = "legal_rep_lock"

    id_key: Mapped[str] = mapped_column(String(18), primary_key=True)
    claims: Mapped[int] = mapped_column(Integer)


class UsccSequence(Base):
    """Next organisation-code body per registering authority (division), for USCC issuance."""

    __tablename__ = "uscc_sequence"

    division_code: Mapped[str] = mapped_column(String(6), primary_key=True)
    next_value: Mapped[int] = mapped_column(Integer)
