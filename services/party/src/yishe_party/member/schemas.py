from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field, model_validator

from yishe_contracts.events.common import PartyMemberStatus


class MemberCreate(BaseModel):
    """A member captured after registration, or transferred in from outside the platform (PARTY-5)."""

    model_config = ConfigDict(str_strip_whitespace=True)
    name: str = Field(min_length=1, max_length=100)
    status: PartyMemberStatus = PartyMemberStatus.FULL
    id_number: str | None = Field(default=None, description="居民身份证号码: kept only masked and as a keyed hash")
    phone: str | None = Field(default=None, max_length=20)
    transferred_from: str | None = Field(default=None, max_length=200,
                                         description="the unit the membership is transferred from (组织关系转入)")
    effective_on: date | None = None


class MemberUpdate(BaseModel):
    """Conversion to full membership (转正) or corrected contact details."""

    model_config = ConfigDict(str_strip_whitespace=True)
    status: PartyMemberStatus | None = None
    name: str | None = Field(default=None, min_length=1, max_length=100)
    phone: str | None = Field(default=None, max_length=20)
    effective_on: date | None = None


class MemberTransferOut(BaseModel):
    """组织关系转出: to another organisation on the platform (`to_uscc`) or to a unit outside it (`to_unit`)."""

    model_config = ConfigDict(str_strip_whitespace=True)
    to_uscc: str | None = None
    to_unit: str | None = Field(default=None, min_length=2, max_length=200)
    effective_on: date | None = None

    @model_validator(mode="after")
    def _one_destination(self) -> MemberTransferOut:
        if bool(self.to_uscc) == bool(self.to_unit):
            raise ValueError("give exactly one of to_uscc and to_unit")
        return self


class MemberRemoval(BaseModel):
    reason: str = Field(min_length=2, max_length=500)
    effective_on: date | None = None


class MemberDetail(BaseModel):
    """A member as the Party-building role sees it: identifiers masked."""

    model_config = ConfigDict(from_attributes=True)
    member_id: int
    uscc: str
    name: str
    status: str
    state: str
    id_number: str | None = Field(default=None, validation_alias="id_number_masked")
    phone: str | None = Field(default=None, validation_alias="phone_masked")
    joined_on: date | None
    left_on: date | None


class MemberHistoryRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    action: str
    uscc: str
    from_status: str | None
    to_status: str | None
    counterpart_uscc: str | None
    counterpart_name: str | None
    effective_on: date
    note: str | None
    actor: str
    recorded_at: datetime
