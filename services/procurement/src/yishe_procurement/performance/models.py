from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, Date, ForeignKey, Numeric, String
from sqlalchemy.orm import Mapped, mapped_column

from yishe_kit.db import BigIntPK, UtcDateTime

from ..db import Base


class PerformanceEvaluation(Base):
    __tablename__ = "performance_evaluation"

    evaluation_id: Mapped[int] = mapped_column(BigIntPK, primary_key=True, autoincrement=True)
    contract_id: Mapped[str] = mapped_column(ForeignKey("contract.contract_id"), index=True)
    kind: Mapped[str] = mapped_column(String(10))
    evaluator_type: Mapped[str] = mapped_column(String(20))
    evaluator_name: Mapped[str] = mapped_column(String(200))
    evaluator_uscc: Mapped[str | None] = mapped_column(String(18))
    indicators: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    score: Mapped[Decimal] = mapped_column(Numeric(5, 2))
    result: Mapped[str] = mapped_column(String(10))
    evaluated_on: Mapped[date] = mapped_column(Date)
    recorded_at: Mapped[datetime] = mapped_column(UtcDateTime())
