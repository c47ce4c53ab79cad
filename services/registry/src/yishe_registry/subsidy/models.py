from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import BigInteger, Date, ForeignKey, Integer, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from yishe_kit.db import BigIntPK

from ..db import Base


class SubsidyApplication(Base):
    """One subsidy application; the person's name and ID number are personal data (SUB-7): shown in full only to
    the handling staff member. `person_key` (SHA-256 of the ID number) links a person's months without the number."""

    __tablename__ = "subsidy_application"

    application_id: Mapped[int] = mapped_column(BigIntPK, primary_key=True, autoincrement=True)
    uscc: Mapped[str] = mapped_column(String(18), index=True)
    division_code: Mapped[str] = mapped_column(String(6), index=True)
    kind: Mapped[str] = mapped_column(String(30))  # graduate_social_insurance | training | skills_certificate
    year: Mapped[int] = mapped_column(Integer, index=True)
    status: Mapped[str] = mapped_column(String(20))  # submitted | approved | paid | rejected
    person_name: Mapped[str] = mapped_column(String(100))
    person_id_number: Mapped[str] = mapped_column(String(18))
    person_key: Mapped[str] = mapped_column(String(64), index=True)
    graduation_date: Mapped[date | None] = mapped_column(Date)
    hired_on: Mapped[date | None] = mapped_column(Date)
    item: Mapped[str | None] = mapped_column(String(200))  # course or certificate name
    certificate_no: Mapped[str | None] = mapped_column(String(100))
    amount: Mapped[Decimal] = mapped_column(Numeric(14, 2))
    submitted_on: Mapped[date] = mapped_column(Date)
    submitted_by: Mapped[str] = mapped_column(String(100))
    handled_by: Mapped[str | None] = mapped_column(String(100))
    approved_on: Mapped[date | None] = mapped_column(Date)
    paid_on: Mapped[date | None] = mapped_column(Date)
    note: Mapped[str | None] = mapped_column(Text)


class SubsidyMonth(Base):
    """A month of social insurance actually contributed for a graduate and claimed (SUB-3); one person's month is
    subsidised once across all applications (SUB-4): the unique constraint is the last word on races."""

    __tablename__ = "subsidy_month"
    __table_args__ = (UniqueConstraint("person_key", "month", name="uq_subsidy_month_person_key_month"),)

    month_id: Mapped[int] = mapped_column(BigIntPK, primary_key=True, autoincrement=True)
    application_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("subsidy_application.application_id"),
                                                index=True)
    uscc: Mapped[str] = mapped_column(String(18), index=True)
    person_key: Mapped[str] = mapped_column(String(64))
    month: Mapped[str] = mapped_column(String(7))  # YYYY-MM
    contribution_paid: Mapped[Decimal] = mapped_column(Numeric(14, 2))
