from __future__ import annotations

from datetime import datetime

from sqlalchemy import Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from yishe_kit.db import BigIntPK, UtcDateTime

from ..db import Base


class OcdsRelease(Base):
    """One OCDS release as published at the time (releases are immutable); `payload` is exact JSON."""

    __tablename__ = "ocds_release"

    release_pk: Mapped[int] = mapped_column(BigIntPK, primary_key=True, autoincrement=True)
    project_id: Mapped[str] = mapped_column(String(36), index=True)
    ocid: Mapped[str] = mapped_column(String(80), index=True)
    release_id: Mapped[str] = mapped_column(String(120), unique=True)
    seq: Mapped[int] = mapped_column(Integer)
    tag: Mapped[str] = mapped_column(String(40))
    date: Mapped[datetime] = mapped_column(UtcDateTime())
    payload: Mapped[str] = mapped_column(Text)
