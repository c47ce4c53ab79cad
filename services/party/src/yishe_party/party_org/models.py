from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import BigInteger, Boolean, Date, ForeignKey, Integer, String, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column

from yishe_kit.db import BigIntPK, UtcDateTime

from ..db import Base


class PartyOrganisation(Base):
    """A Party organisation (党支部/党总支/党委) set up in one organisation (own) or several (joint branch)."""

    __tablename__ = "party_organisation"

    org_id: Mapped[int] = mapped_column(BigIntPK, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(200))
    formation: Mapped[str] = mapped_column(String(20))
    """own (单独建立, PARTY-1) or joint (联合党支部, PARTY-2)."""
    level: Mapped[str] = mapped_column(String(20))
    """branch (党支部), general_branch (党总支) or committee (党委)."""
    host_uscc: Mapped[str] = mapped_column(String(18), index=True)
    division_code: Mapped[str] = mapped_column(String(6), index=True)
    established_on: Mapped[date] = mapped_column(Date)
    term_started_on: Mapped[date] = mapped_column(Date)
    term_years: Mapped[int] = mapped_column(Integer)
    reelection_due: Mapped[date] = mapped_column(Date, index=True)
    secretary_name: Mapped[str | None] = mapped_column(String(100))
    secretary_member_id: Mapped[int | None] = mapped_column(BigInteger)
    secretary_seconded_cadre: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    """A part-time official serving as secretary takes no pay or benefits (PARTY-10)."""
    demonstration: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    demonstration_year: Mapped[int | None] = mapped_column(Integer)
    dissolved_on: Mapped[date | None] = mapped_column(Date)
    dissolution_reason: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    created_by: Mapped[str] = mapped_column(String(100))


class PartyOrgUnit(Base):
    """An organisation covered by a Party organisation, for a period (one for own, up to 5 for joint)."""

    __tablename__ = "party_org_unit"

    unit_id: Mapped[int] = mapped_column(BigIntPK, primary_key=True, autoincrement=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("party_organisation.org_id"), index=True)
    uscc: Mapped[str] = mapped_column(String(18), index=True)
    joined_on: Mapped[date] = mapped_column(Date)
    left_on: Mapped[date | None] = mapped_column(Date)
    left_reason: Mapped[str | None] = mapped_column(String(500))


class CommitteeMember(Base):
    """A member of the Party organisation's committee; `org_position` records cross-appointment (PARTY-11)."""

    __tablename__ = "party_committee_member"

    committee_member_id: Mapped[int] = mapped_column(BigIntPK, primary_key=True, autoincrement=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("party_organisation.org_id"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    committee_role: Mapped[str] = mapped_column(String(30))
    org_position: Mapped[str | None] = mapped_column(String(50))
    """The post held in the social organisation's leadership (理事长, 秘书长, 理事, 监事 …), if any."""
    member_id: Mapped[int | None] = mapped_column(BigInteger)
    started_on: Mapped[date] = mapped_column(Date)
    ended_on: Mapped[date | None] = mapped_column(Date)


class Election(Base):
    """A (re-)election (换届) of a Party organisation: starts a new term."""

    __tablename__ = "party_election"

    election_id: Mapped[int] = mapped_column(BigIntPK, primary_key=True, autoincrement=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("party_organisation.org_id"), index=True)
    held_on: Mapped[date] = mapped_column(Date)
    term_years: Mapped[int] = mapped_column(Integer)
    next_due: Mapped[date] = mapped_column(Date)
    secretary_name: Mapped[str | None] = mapped_column(String(100))
    recorded_at: Mapped[datetime] = mapped_column(UtcDateTime())


class SecretaryAssessment(Base):
    """A secretary's "双强红领" level for a year (PARTY-9): levels 1–5, each with a minimum post allowance."""

    __tablename__ = "party_secretary_assessment"
    __table_args__ = (UniqueConstraint("org_id", "year"),)

    assessment_id: Mapped[int] = mapped_column(BigIntPK, primary_key=True, autoincrement=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("party_organisation.org_id"), index=True)
    year: Mapped[int] = mapped_column(Integer)
    level: Mapped[int] = mapped_column(Integer)
    secretary_name: Mapped[str | None] = mapped_column(String(100))
    assessed_on: Mapped[date] = mapped_column(Date)
