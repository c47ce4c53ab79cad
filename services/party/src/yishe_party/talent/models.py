from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import Boolean, Date, ForeignKey, Integer, Numeric, String, false, true
from sqlalchemy.orm import Mapped, mapped_column

from yishe_kit.db import BigIntPK, UtcDateTime

from ..db import Base


class Talent(Base):
    """A person in the Party-building talent pool (党建人才库) who can be sent as instructor or liaison officer."""

    __tablename__ = "party_talent"

    talent_id: Mapped[int] = mapped_column(BigIntPK, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(100))
    id_number_masked: Mapped[str | None] = mapped_column(String(18))
    id_number_hash: Mapped[str | None] = mapped_column(String(64), index=True)
    phone_masked: Mapped[str | None] = mapped_column(String(20))
    source: Mapped[str] = mapped_column(String(30))
    """retired_cadre (退休/退出领导岗位党政干部), social_worker (社会工作职称党员) or other."""
    seconded_cadre: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    """A part-time Party/government official: no pay or other benefits (PARTY-10)."""
    approval_ref: Mapped[str | None] = mapped_column(String(100))
    """The approval (按规定审批) under which a cadre is sent (PARTY-10)."""
    division_code: Mapped[str] = mapped_column(String(6), index=True)
    max_organisations: Mapped[int] = mapped_column(Integer)
    annual_allowance: Mapped[Decimal] = mapped_column(Numeric(14, 2))
    """Work subsidy (党建指导员工作补贴) per year from the budget; always 0 for seconded cadres (PARTY-10)."""
    active: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())


class WorkCover(Base):
    """Party work coverage of an organisation without its own Party organisation (PARTY-3): an instructor, a
    liaison officer, or a well-run nearby organisation leading it ("1+N")."""

    __tablename__ = "party_work_cover"

    cover_id: Mapped[int] = mapped_column(BigIntPK, primary_key=True, autoincrement=True)
    uscc: Mapped[str] = mapped_column(String(18), index=True)
    kind: Mapped[str] = mapped_column(String(30))
    talent_id: Mapped[int | None] = mapped_column(ForeignKey("party_talent.talent_id"), index=True)
    lead_uscc: Mapped[str | None] = mapped_column(String(18))
    started_on: Mapped[date] = mapped_column(Date)
    ended_on: Mapped[date | None] = mapped_column(Date)
    end_reason: Mapped[str | None] = mapped_column(String(500))
    rule: Mapped[str] = mapped_column(String(20))
    assigned_by: Mapped[str] = mapped_column(String(100))
