from __future__ import annotations

from datetime import date

from pydantic import BaseModel, Field


class LevelRead(BaseModel):
    code: str
    label: str
    rank: int


class LevelsRead(BaseModel):
    profile: str
    levels: list[LevelRead]


class BaseCreate(BaseModel):
    level: str
    name: str = Field(min_length=2, max_length=200)
    division_code: str = Field(pattern=r"^\d{2,12}$")
    operator_uscc: str | None = Field(default=None, min_length=18, max_length=18)
    opened_on: date | None = None
    party_centre_name: str | None = Field(default=None, max_length=200)
    party_centre_established_on: date | None = None
    party_centre_contact: str | None = Field(default=None, max_length=100)


class BaseRead(BaseModel):
    base_id: int
    level: str
    level_label: str
    name: str
    division_code: str
    operator_uscc: str | None
    opened_on: date | None
    party_centre_name: str | None
    party_centre_established_on: date | None
    party_centre_contact: str | None
    residents_now: int
    graduated: int


class ResidencyCreate(BaseModel):
    uscc: str | None = Field(default=None, min_length=18, max_length=18)
    filing_no: str | None = Field(default=None, max_length=40)
    team_name: str | None = Field(default=None, max_length=200)
    entered_on: date
    entry_reason: str = Field(min_length=1, max_length=500)
    party_incubated: bool | None = None


class ResidencyExit(BaseModel):
    exited_on: date
    exit_reason: str = Field(min_length=1, max_length=500)
    exit_kind: str = Field(default="graduated", pattern="^(graduated|withdrawn|removed)$",
                           description="graduated 出壳 | withdrawn 主动退出 | removed 清退")


class ResidencyRead(BaseModel):
    residency_id: int
    base_id: int
    uscc: str | None
    filing_no: str | None
    team_name: str | None
    name: str
    entered_on: date
    entry_reason: str
    party_incubated: bool | None
    exited_on: date | None
    exit_reason: str | None
    exit_kind: str | None
