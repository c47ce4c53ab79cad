from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field


class MemberRead(BaseModel):
    name: str
    status: str
    id_number: str | None = None
    phone: str | None = None


class FormationTask(BaseModel):
    """What the route requires (PARTY-1..3) and whether it is done; due = capture/formation deadline."""

    kind: str
    label: str
    rule: str
    status: str
    due: date | None


class AffiliationRead(BaseModel):
    """Reporting line (隶属关系, PARTY-7)."""

    type: str
    label: str
    responsible_party_org_id: str
    responsible_party_org_name: str
    locality: str
    rule: str = "PARTY-7"


class PartyRecordRead(BaseModel):
    uscc: str
    route: str
    route_rule: str
    route_label: str
    capture_task_status: str
    capture_task_due: date
    opened_at: datetime
    org_name: str | None = None
    org_type: str | None = None
    division_code: str | None = None
    status: str = "active"
    registration_date: date | None = None
    supervisory_unit: str | None = None
    sector: str | None = None
    trade_association: bool = False
    community: bool = False
    formation_task: FormationTask | None = None
    affiliation: AffiliationRead | None = None
    party_org_id: int | None = None
    coverage_flag: str | None = None
    full_members: int | None = None
    probationary_members: int | None = None
    members: list[MemberRead] | None = None


class ProfileUpdate(BaseModel):
    """Facts the Party-building role keeps for routing and affiliation (PARTY-2 sector, PARTY-7 kind)."""

    model_config = ConfigDict(str_strip_whitespace=True)
    sector: str | None = Field(default=None, max_length=100)
    supervisory_unit: str | None = Field(default=None, max_length=200)
    trade_association: bool | None = None
    community: bool | None = None


class MemberCountsUpdate(BaseModel):
    """A correction of counts not captured member by member (PARTY-5); re-evaluates the route (PARTY-1..3)."""

    full_members: int = Field(ge=0, le=100000)
    probationary_members: int = Field(ge=0, le=100000)
    effective_on: date | None = None
    reason: str = Field(min_length=2, max_length=200)


class CaptureConfirmation(BaseModel):
    """The capture task is complete, also when the organisation has no Party members (PARTY-5)."""

    confirmed_on: date | None = None


class CountChangeRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    effective_on: date
    full_members: int
    probationary_members: int
    route: str
    reason: str
    member_id: int | None
    actor: str
    recorded_at: datetime
