from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

ManualStep = Literal["spot_check", "training"]


class SyncStepCreate(BaseModel):
    """A 六同步 step recorded by hand (PARTY-6): a special spot check or training that covered Party building."""

    model_config = ConfigDict(str_strip_whitespace=True)
    step: ManualStep
    period: str = Field(default="", max_length=20, description="e.g. the year or a batch reference")
    occurred_on: date
    party_building_covered: bool = True
    detail: str | None = Field(default=None, max_length=500)


class SyncStepRead(BaseModel):
    step: str
    label: str
    status: str
    """done, missing (the step happened without its Party-building part), open, overdue or pending (not yet)."""
    period: str | None = None
    occurred_on: date | None = None
    rule: str
    detail: str | None = None
    in_three_sync: bool
    in_six_sync: bool = True


class ChecklistRead(BaseModel):
    """Which synchronised steps are done: 三同步 (PARTY-5, Wenzhou) and 六同步 (PARTY-6, Longgang)."""

    uscc: str
    three_sync_done: bool
    six_sync_done: bool
    formation_task_status: str | None
    steps: list[SyncStepRead]


class IndicatorItem(BaseModel):
    key: str
    label: str
    met: bool
    points: int
    max_points: int
    rule: str
    detail: str | None = None


class EvaluationIndicator(BaseModel):
    """The Party-building indicator for grade evaluation (评估时同步将党建工作纳入重要指标, PARTY-5); score [P]."""

    uscc: str
    as_of: date
    evaluation_year: int | None
    route: str
    score: int
    max_score: int
    items: list[IndicatorItem]
