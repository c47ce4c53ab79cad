from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

Formation = Literal["own", "joint"]
Level = Literal["branch", "general_branch", "committee"]
CommitteeRole = Literal["secretary", "deputy_secretary", "member", "discipline_member"]


class SecretaryIn(BaseModel):
    model_config = ConfigDict(str_strip_whitespace=True)
    name: str = Field(min_length=1, max_length=100)
    member_id: int | None = None
    seconded_cadre: bool = Field(default=False, description="a part-time official: no pay or benefits (PARTY-10)")
    org_position: str | None = Field(default=None, max_length=50,
                                     description="post in the organisation's leadership (PARTY-11 cross-appointment)")


class CommitteeMemberIn(BaseModel):
    model_config = ConfigDict(str_strip_whitespace=True)
    name: str = Field(min_length=1, max_length=100)
    committee_role: CommitteeRole = "member"
    org_position: str | None = Field(default=None, max_length=50, description="e.g. 理事长, 秘书长, 理事, 监事")
    member_id: int | None = None


class PartyOrgCreate(BaseModel):
    """Establish a Party organisation: own (PARTY-1, one unit) or a joint branch (PARTY-2, up to 5 units)."""

    model_config = ConfigDict(str_strip_whitespace=True)
    name: str = Field(min_length=2, max_length=200)
    formation: Formation
    level: Level = "branch"
    units: list[str] = Field(min_length=1, max_length=50, description="USCCs; the first is the host unless host_uscc")
    host_uscc: str | None = None
    established_on: date
    secretary: SecretaryIn | None = None
    committee: list[CommitteeMemberIn] = Field(default_factory=list, max_length=30)
    term_years: int | None = Field(default=None, ge=1, le=5)
    demonstration: bool = Field(default=False, description="示范引领型: one-off grant in demonstration_year (PARTY-8)")
    demonstration_year: int | None = Field(default=None, ge=2000, le=2100)


class PartyOrgUpdate(BaseModel):
    model_config = ConfigDict(str_strip_whitespace=True)
    name: str | None = Field(default=None, min_length=2, max_length=200)
    secretary: SecretaryIn | None = None
    demonstration: bool | None = None
    demonstration_year: int | None = Field(default=None, ge=2000, le=2100)


class UnitJoin(BaseModel):
    uscc: str
    joined_on: date | None = None


class UnitLeave(BaseModel):
    left_on: date | None = None
    reason: str = Field(min_length=2, max_length=500)


class ElectionIn(BaseModel):
    """换届: a new term from `held_on`; committee replaced when given."""

    held_on: date
    term_years: int | None = Field(default=None, ge=1, le=5)
    secretary: SecretaryIn | None = None
    committee: list[CommitteeMemberIn] | None = Field(default=None, max_length=30)


class DissolutionIn(BaseModel):
    dissolved_on: date | None = None
    reason: str = Field(min_length=2, max_length=500)


class AssessmentIn(BaseModel):
    """"双强红领" level of the secretary for a year (PARTY-9)."""

    year: int = Field(ge=2000, le=2100)
    level: int = Field(ge=1, le=5)
    assessed_on: date | None = None


class UnitRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    uscc: str
    joined_on: date
    left_on: date | None
    left_reason: str | None


class CommitteeMemberRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    name: str
    committee_role: str
    org_position: str | None
    member_id: int | None
    started_on: date
    ended_on: date | None


class CrossAppointmentRead(BaseModel):
    """PARTY-11: 双向进入、交叉任职 between the Party committee and the organisation's leadership."""

    cross_appointed: bool
    secretary_in_leadership: bool
    positions: list[str]
    discipline_member_is_supervisor: bool
    rule: str = "PARTY-11"


class AssessmentRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    year: int
    level: int
    secretary_name: str | None
    assessed_on: date


class PartyOrgRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    org_id: int
    name: str
    formation: str
    level: str
    host_uscc: str
    division_code: str
    established_on: date
    term_started_on: date
    term_years: int
    reelection_due: date
    reelection_overdue: bool = False
    secretary_name: str | None
    secretary_seconded_cadre: bool
    demonstration: bool
    demonstration_year: int | None
    dissolved_on: date | None
    dissolution_reason: str | None
    units: list[UnitRead] = Field(default_factory=list)
    committee: list[CommitteeMemberRead] = Field(default_factory=list)
    cross_appointment: CrossAppointmentRead | None = None
    assessments: list[AssessmentRead] = Field(default_factory=list)
