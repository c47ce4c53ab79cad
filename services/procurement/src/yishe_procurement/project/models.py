from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, Boolean, Date, ForeignKey, Integer, Numeric, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from yishe_kit.db import BigIntPK, UtcDateTime

from ..db import Base


class Project(Base):
    """A purchase-of-services project (政府购买服务项目) and its OCDS contracting process (`ocid`)."""

    __tablename__ = "project"

    project_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    ocid: Mapped[str] = mapped_column(String(80), unique=True)
    code: Mapped[str] = mapped_column(String(30))
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text)
    purchaser_department: Mapped[str] = mapped_column(String(200), index=True)
    purchaser_uscc: Mapped[str | None] = mapped_column(String(18))
    division_code: Mapped[str] = mapped_column(String(6), index=True)
    catalogue_id: Mapped[str] = mapped_column(String(36))
    catalogue_level: Mapped[str] = mapped_column(String(10))
    catalogue_item_code: Mapped[str] = mapped_column(String(20))
    catalogue_item_name: Mapped[str] = mapped_column(String(200))
    platform_support: Mapped[bool] = mapped_column(Boolean)
    new_spending: Mapped[bool] = mapped_column(Boolean)
    budget_amount: Mapped[Decimal] = mapped_column(Numeric(14, 2))
    budget_source: Mapped[str] = mapped_column(String(200))
    budget_year: Mapped[int] = mapped_column(Integer)
    method: Mapped[str] = mapped_column(String(20))
    term_start: Mapped[date] = mapped_column(Date)
    term_end: Mapped[date] = mapped_column(Date)
    multi_year: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    tender_end: Mapped[date] = mapped_column(Date)
    design_id: Mapped[str | None] = mapped_column(String(36))
    status: Mapped[str] = mapped_column(String(12), index=True)
    version: Mapped[int] = mapped_column(Integer)
    created_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    published_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    cancelled_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    cancel_reason: Mapped[str | None] = mapped_column(String(500))


class ProjectAmendment(Base):
    """One amendment (变更/更正) of a project: the fields before and after, and why."""

    __tablename__ = "project_amendment"

    amendment_id: Mapped[int] = mapped_column(BigIntPK, primary_key=True, autoincrement=True)
    project_id: Mapped[str] = mapped_column(ForeignKey("project.project_id"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    stage: Mapped[str] = mapped_column(String(12))
    rationale: Mapped[str] = mapped_column(String(1000))
    changes: Mapped[dict[str, Any]] = mapped_column(JSON)
    actor: Mapped[str] = mapped_column(String(200))
    amended_at: Mapped[datetime] = mapped_column(UtcDateTime())


class OcidSequence(Base):
    """The last project number used per division and year (ocid = prefix-division-year-NNNN)."""

    __tablename__ = "ocid_sequence"

    scope: Mapped[str] = mapped_column(String(20), primary_key=True)
    last: Mapped[int] = mapped_column(Integer)
