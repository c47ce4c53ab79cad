from __future__ import annotations

from datetime import date

from sqlalchemy import Boolean, Date, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from yishe_kit.db import BigIntPK

from ..db import Base


class Branch(Base):
    __tablename__ = "branch"
    __table_args__ = (UniqueConstraint("uscc", "name", name="uq_branch_uscc_name"),)

    branch_id: Mapped[int] = mapped_column(BigIntPK, primary_key=True, autoincrement=True)
    uscc: Mapped[str] = mapped_column(String(18), index=True)
    name: Mapped[str] = mapped_column(String(100))
    full_name: Mapped[str] = mapped_column(String(300))
    kind: Mapped[str] = mapped_column(String(20))  # 分支机构 | 代表机构
    regional: Mapped[bool] = mapped_column(Boolean, default=False)
    address: Mapped[str | None] = mapped_column(String(500))
    leader_name: Mapped[str | None] = mapped_column(String(100))
    business_scope: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(20))
    registered_on: Mapped[date] = mapped_column(Date)
    deregistered_on: Mapped[date | None] = mapped_column(Date)
