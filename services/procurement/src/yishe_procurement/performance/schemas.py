from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, Field

from ..common.money import Score


class Kind(StrEnum):
    INTERIM = "interim"
    FINAL = "final"


class EvaluatorType(StrEnum):
    PURCHASER = "purchaser"
    THIRD_PARTY = "third_party"


class Indicator(BaseModel):
    name: str = Field(min_length=2, max_length=100, description="e.g. 服务数量, 服务质量, 满意度, 资金管理")
    weight: Decimal = Field(gt=0, le=100, max_digits=5, decimal_places=2)
    score: Score


class EvaluationCreate(BaseModel):
    kind: Kind = Kind.FINAL
    evaluator_type: EvaluatorType
    evaluator_name: str = Field(min_length=2, max_length=200)
    evaluator_uscc: str | None = Field(default=None, description="the third-party evaluator's USCC")
    evaluated_on: date
    indicators: list[Indicator] = Field(min_length=1, max_length=30, description="weights add up to 100")


class EvaluationRead(BaseModel):
    evaluation_id: int
    contract_id: str
    kind: str
    evaluator_type: str
    evaluator_name: str
    evaluator_uscc: str | None
    indicators: list[dict[str, Any]]
    score: Score
    result: str
    evaluated_on: date
    recorded_at: datetime
