from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import JSON, Boolean, Date, Integer, Numeric, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from yishe_kit.db import BigIntPK

from ..db import Base


class Inspector(Base):
    """An enforcement officer in the inspector pool (执法检查人员名录库)."""

    __tablename__ = "inspector"

    inspector_id: Mapped[int] = mapped_column(BigIntPK, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(100))
    unit: Mapped[str] = mapped_column(String(200))
    division_code: Mapped[str] = mapped_column(String(6))
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class InspectionPlan(Base):
    """One sampling run: the seed, the population it drew from and the strata, so anyone can re-draw it."""

    __tablename__ = "inspection_plan"

    plan_id: Mapped[int] = mapped_column(BigIntPK, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(200))
    year: Mapped[int] = mapped_column(Integer)
    seed: Mapped[str] = mapped_column(String(64))
    ratio: Mapped[Decimal] = mapped_column(Numeric(5, 4))
    division_prefix: Mapped[str] = mapped_column(String(6))
    org_types: Mapped[list] = mapped_column(JSON)
    inspectors_per_org: Mapped[int] = mapped_column(Integer)
    population: Mapped[list] = mapped_column(JSON)  # [[uscc, org_type, division_code], …] sorted
    strata: Mapped[list] = mapped_column(JSON)  # [{stratum, population, sampled}, …]
    created_on: Mapped[date] = mapped_column(Date)
    created_by: Mapped[str] = mapped_column(String(160))


class Inspection(Base):
    """One sampled organisation: its inspectors, the result, and any rectification deadline (feeds CR-6.3)."""

    __tablename__ = "inspection"

    inspection_id: Mapped[int] = mapped_column(BigIntPK, primary_key=True, autoincrement=True)
    plan_id: Mapped[int] = mapped_column(BigIntPK, index=True)
    uscc: Mapped[str] = mapped_column(String(18), index=True)
    org_name: Mapped[str] = mapped_column(String(200))
    stratum: Mapped[str] = mapped_column(String(60))
    inspectors: Mapped[list] = mapped_column(JSON)  # [{inspector_id, name, unit}]
    status: Mapped[str] = mapped_column(String(10))  # planned done
    inspected_on: Mapped[date | None] = mapped_column(Date)
    result: Mapped[str | None] = mapped_column(String(10))
    findings: Mapped[str | None] = mapped_column(Text)
    rectification_due: Mapped[date | None] = mapped_column(Date, index=True)
    rectified_on: Mapped[date | None] = mapped_column(Date)
    record_id: Mapped[int | None] = mapped_column(BigIntPK)
