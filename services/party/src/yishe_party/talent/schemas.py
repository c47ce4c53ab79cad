from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

Source = Literal["retired_cadre", "social_worker", "other"]
CoverKind = Literal["instructor", "liaison", "lead_organisation"]


class TalentCreate(BaseModel):
    """A person entered into the Party-building talent pool (党建人才库, seed 000 item 17)."""

    model_config = ConfigDict(str_strip_whitespace=True)
    name: str = Field(min_length=1, max_length=100)
    id_number: str | None = Field(default=None, description="kept only masked and as a keyed hash")
    phone: str | None = Field(default=None, max_length=20)
    source: Source = "other"
    seconded_cadre: bool = Field(default=False, description="a part-time official: no pay (PARTY-10)")
    approval_ref: str | None = Field(default=None, max_length=100, description="按规定审批: needed to send a cadre")
    division_code: str = Field(min_length=6, max_length=6)
    max_organisations: int | None = Field(default=None, ge=1, le=100)
    annual_allowance: Decimal = Field(default=Decimal("0"), ge=0, max_digits=14, decimal_places=2)


class TalentUpdate(BaseModel):
    model_config = ConfigDict(str_strip_whitespace=True)
    active: bool | None = None
    approval_ref: str | None = Field(default=None, max_length=100)
    max_organisations: int | None = Field(default=None, ge=1, le=100)
    annual_allowance: Decimal | None = Field(default=None, ge=0, max_digits=14, decimal_places=2)


class TalentRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    talent_id: int
    name: str
    id_number: str | None = Field(default=None, validation_alias="id_number_masked")
    phone: str | None = Field(default=None, validation_alias="phone_masked")
    source: str
    seconded_cadre: bool
    approval_ref: str | None
    division_code: str
    max_organisations: int
    annual_allowance: Decimal
    active: bool
    current_organisations: int = 0


class WorkCoverCreate(BaseModel):
    """PARTY-3: an instructor or liaison officer from the pool, or a nearby well-run organisation ("1+N")."""

    kind: CoverKind
    talent_id: int | None = None
    lead_uscc: str | None = None
    started_on: date | None = None


class WorkCoverEnd(BaseModel):
    ended_on: date | None = None
    reason: str = Field(min_length=2, max_length=500)


class WorkCoverRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    cover_id: int
    uscc: str
    kind: str
    talent_id: int | None
    lead_uscc: str | None
    started_on: date
    ended_on: date | None
    end_reason: str | None
    rule: str
    assigned_by: str
