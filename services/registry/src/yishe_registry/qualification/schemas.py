from __future__ import annotations

from datetime import date
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from yishe_contracts.events.registry import QualificationKind


class QualificationGrant(BaseModel):
    kind: QualificationKind
    granted_on: date
    valid_from: date | None = Field(None, description="default: granted_on")
    document_no: str | None = Field(None, max_length=100, description="文号")


class QualificationRevoke(BaseModel):
    reason: str = Field(min_length=1, max_length=1000)


class QualificationRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    qualification_id: int
    uscc: str
    kind: str
    document_no: str | None
    granted_on: date
    valid_from: date
    valid_until: date | None
    status: str
    ended_on: date | None
    end_reason: str | None


class MatterType(StrEnum):
    MAJOR_EVENT = "重大活动"
    FOREIGN_DONATION = "接受境外捐赠"
    INVESTMENT = "对外投资"
    ELECTION = "换届"
    LEADER_CHANGE = "负责人变动"
    FOREIGN_EXCHANGE = "涉外活动"
    OTHER = "其他"


class MatterCreate(BaseModel):
    model_config = ConfigDict(str_strip_whitespace=True)

    matter_type: MatterType
    summary: str = Field(min_length=2, max_length=5000)
    occurred_on: date


class MatterRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    filing_id: int
    uscc: str
    matter_type: str
    summary: str
    occurred_on: date
    filed_on: date
    reminders: list[str] = Field(default_factory=list)
