from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import ForeignKey, Integer, Numeric, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from yishe_kit.db import BigIntPK, UtcDateTime

from ..db import Base


class NeedList(Base):
    """A community's needs list (需求清单) for a year."""

    __tablename__ = "need_list"

    need_list_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    division_code: Mapped[str] = mapped_column(String(6), index=True)
    township: Mapped[str] = mapped_column(String(100))
    community: Mapped[str] = mapped_column(String(100))
    year: Mapped[int] = mapped_column(Integer)
    source: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())


class NeedItem(Base):
    __tablename__ = "need_item"

    need_item_id: Mapped[int] = mapped_column(BigIntPK, primary_key=True, autoincrement=True)
    need_list_id: Mapped[str] = mapped_column(ForeignKey("need_list.need_list_id"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text)
    category: Mapped[str | None] = mapped_column(String(50))
    beneficiaries: Mapped[int | None] = mapped_column(Integer)


class ProjectDesign(Base):
    """A project-list (项目清单) entry designed by a professional social-work agency around need items."""

    __tablename__ = "project_design"

    design_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    division_code: Mapped[str] = mapped_column(String(6), index=True)
    township: Mapped[str] = mapped_column(String(100))
    year: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(200))
    summary: Mapped[str | None] = mapped_column(Text)
    designer_uscc: Mapped[str] = mapped_column(String(18))
    estimated_amount: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())


class DesignNeed(Base):
    __tablename__ = "design_need"

    design_id: Mapped[str] = mapped_column(ForeignKey("project_design.design_id"), primary_key=True)
    need_item_id: Mapped[int] = mapped_column(ForeignKey("need_item.need_item_id"), primary_key=True)


class DesignProject(Base):
    """A purchase project created from a design (the township's match of supply and demand)."""

    __tablename__ = "design_project"

    design_id: Mapped[str] = mapped_column(ForeignKey("project_design.design_id"), primary_key=True)
    project_id: Mapped[str] = mapped_column(String(36), primary_key=True)


class ResourceEntry(Base):
    """A resource-list (资源清单) entry: resource supplier + service undertaker for a design."""

    __tablename__ = "resource_entry"

    resource_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    design_id: Mapped[str] = mapped_column(ForeignKey("project_design.design_id"), index=True)
    supplier_name: Mapped[str] = mapped_column(String(200))
    supplier_kind: Mapped[str] = mapped_column(String(30))
    supplier_uscc: Mapped[str | None] = mapped_column(String(18))
    resource: Mapped[str] = mapped_column(String(500))
    amount: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))
    undertaker_uscc: Mapped[str] = mapped_column(String(18), index=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
