from __future__ import annotations

from datetime import date
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

GRADE = r"^[1-5]A$"


class Award(BaseModel):
    grade: str = Field(pattern=GRADE)
    announced_on: date = Field(description="day the result was announced (decides EVAL-4 or EVAL-8)")
    score: int | None = Field(None, ge=0, le=1000, description="out of 1,000 (EVAL-5 bands are local)")


class DowngradeBasis(StrEnum):
    """EVAL-7 grounds quoted in MCA announcements, and the [M] ones."""

    TWO_BASIC = "two_basically_qualified"  # 连续两年年检基本合格
    FAILED_OR_MISSED = "failed_or_missed_inspection"  # 上年年检不合格或未参加
    PENALTY = "administrative_penalty"  # 受到行政处罚
    FALSIFIED = "falsified_material"  # [M]
    MISUSED_CERTIFICATE = "misused_certificate"  # [M]
    CHECK_EVALUATION = "check_evaluation"  # EVAL-8 核查评估 / 跟踪评估


class Downgrade(BaseModel):
    grade: str = Field(pattern=GRADE, description="the lower grade")
    basis: DowngradeBasis
    reason: str = Field(min_length=1, max_length=1000)


class Revoke(BaseModel):
    basis: DowngradeBasis
    reason: str = Field(min_length=1, max_length=1000)


class GradeRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    uscc: str
    grade: str
    original_grade: str
    score: int | None
    announced_on: date
    valid_from: date
    valid_until: date
    rule: str
    status: str
    ended_on: date | None
    end_reason: str | None
