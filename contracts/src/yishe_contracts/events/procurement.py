"""Events owned by the procurement service (政府购买服务)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import ClassVar

from pydantic import Field

from ..envelope import Event
from ..spec import spec


class ContractAwarded(Event):
    """A purchase-of-services contract was awarded to an organisation (PROC-7); amounts are yuan decimals."""

    subject_name: ClassVar[str] = "procurement.contract.awarded.v1"

    uscc: str = Field(min_length=18, max_length=18)
    ocid: str
    contract_id: str
    title: str
    amount: Decimal = Field(ge=0, decimal_places=2)
    currency: str = "CNY"
    purchaser: str
    awarded_on: date


class PerformanceEvaluated(Event):
    """A performance evaluation (绩效评价) of a contract; credit records it as 其他信息 (CR-4)."""

    subject_name: ClassVar[str] = "procurement.performance.evaluated.v1"

    uscc: str = Field(min_length=18, max_length=18)
    ocid: str
    contract_id: str
    score: Decimal = Field(ge=0, le=100, decimal_places=2)
    result: str = Field(description="e.g. 优秀 / 良好 / 合格 / 不合格")
    evaluator: str
    evaluated_on: date


SPECS = (
    spec(ContractAwarded, ("credit", "gateway"), "A purchase-of-services contract was awarded."),
    spec(PerformanceEvaluated, ("credit", "gateway"), "A contract's performance evaluation (CR-4 其他信息)."),
)
