from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from yishe_kit.db import BigIntPK, UtcDateTime

from ..db import Base


class Catalogue(Base):
    """One version of a level's guidance catalogue for a budget year; publishing supersedes the previous one."""

    __tablename__ = "catalogue"
    __table_args__ = (UniqueConstraint("level", "division_code", "year", "version", name="uq_catalogue_version"),)

    catalogue_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    level: Mapped[str] = mapped_column(String(10))
    division_code: Mapped[str] = mapped_column(String(6), index=True)
    year: Mapped[int] = mapped_column(Integer)
    version: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(200))
    issued_by: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(12))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    published_at: Mapped[datetime | None] = mapped_column(UtcDateTime())


class CatalogueItem(Base):
    __tablename__ = "catalogue_item"
    __table_args__ = (UniqueConstraint("catalogue_id", "code", name="uq_catalogue_item_code"),)

    item_id: Mapped[int] = mapped_column(BigIntPK, primary_key=True, autoincrement=True)
    catalogue_id: Mapped[str] = mapped_column(ForeignKey("catalogue.catalogue_id"), index=True)
    code: Mapped[str] = mapped_column(String(20))
    name: Mapped[str] = mapped_column(String(200))
    parent_code: Mapped[str | None] = mapped_column(String(20))
    description: Mapped[str | None] = mapped_column(Text)
    platform_support: Mapped[bool] = mapped_column(Boolean, default=False)
