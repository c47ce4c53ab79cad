from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import Date, ForeignKey, Integer, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from yishe_kit.db import BigIntPK, UtcDateTime

from ..db import Base


class Contract(Base):
    """The written, published contract (PROC-7) between purchaser and undertaker."""

    __tablename__ = "contract"

    contract_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    contract_number: Mapped[str] = mapped_column(String(40), unique=True)
    project_id: Mapped[str] = mapped_column(ForeignKey("project.project_id"), unique=True)
    award_id: Mapped[str] = mapped_column(ForeignKey("award.award_id"))
    uscc: Mapped[str] = mapped_column(String(18), index=True)
    division_code: Mapped[str] = mapped_column(String(6), index=True)
    org_name: Mapped[str] = mapped_column(String(200))
    title: Mapped[str] = mapped_column(String(200))
    content: Mapped[str] = mapped_column(Text)
    quantity: Mapped[str] = mapped_column(Text)
    quality: Mapped[str] = mapped_column(Text)
    price: Mapped[Decimal] = mapped_column(Numeric(14, 2))
    settlement: Mapped[str] = mapped_column(Text)
    rights_obligations: Mapped[str] = mapped_column(Text)
    liability: Mapped[str] = mapped_column(Text)
    period_start: Mapped[date] = mapped_column(Date)
    period_end: Mapped[date] = mapped_column(Date)
    date_signed: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(12))
    published_at: Mapped[datetime] = mapped_column(UtcDateTime())
    completed_on: Mapped[date | None] = mapped_column(Date)


class Milestone(Base):
    """A payment milestone (支付节点) of the settlement plan."""

    __tablename__ = "contract_milestone"
    __table_args__ = (UniqueConstraint("contract_id", "seq", name="uq_contract_milestone_seq"),)

    milestone_id: Mapped[int] = mapped_column(BigIntPK, primary_key=True, autoincrement=True)
    contract_id: Mapped[str] = mapped_column(ForeignKey("contract.contract_id"), index=True)
    seq: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(200))
    due_date: Mapped[date] = mapped_column(Date)
    amount: Mapped[Decimal] = mapped_column(Numeric(14, 2))
    status: Mapped[str] = mapped_column(String(12))
    date_met: Mapped[date | None] = mapped_column(Date)
    note: Mapped[str | None] = mapped_column(Text)


class Payment(Base):
    __tablename__ = "contract_payment"

    payment_id: Mapped[int] = mapped_column(BigIntPK, primary_key=True, autoincrement=True)
    contract_id: Mapped[str] = mapped_column(ForeignKey("contract.contract_id"), index=True)
    milestone_id: Mapped[int] = mapped_column(ForeignKey("contract_milestone.milestone_id"))
    amount: Mapped[Decimal] = mapped_column(Numeric(14, 2))
    paid_on: Mapped[date] = mapped_column(Date)
    payee_uscc: Mapped[str] = mapped_column(String(18))
    voucher: Mapped[str | None] = mapped_column(String(100))
    recorded_at: Mapped[datetime] = mapped_column(UtcDateTime())
