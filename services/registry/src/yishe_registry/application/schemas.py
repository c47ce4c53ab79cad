from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from ..organisation.schemas import KindFacts, LeaderIn, LegalRepresentative, PartyMembersIn


class ApplicationCreate(KindFacts):
    """A complete application (材料齐全): the reserved name and everything REG-1..REG-12 and PARTY-11 check (the
    conditions by kind are `KindFacts`, shared with direct registration)."""

    name_reservation_id: int
    address: str = Field(min_length=2, max_length=300)
    business_scope: str = Field(min_length=2, max_length=2000)
    purpose: str | None = Field(None, max_length=2000, description="宗旨")
    legal_representative: LegalRepresentative
    commitment_route: bool = Field(False, description="告知承诺制 instead of a capital report (REG-12)")
    leaders: list[LeaderIn] = Field(min_length=1, max_length=100)
    founders: list[str] = Field(default_factory=list, max_length=200, description="发起人 (political review)")
    party_members: PartyMembersIn | None = None
    charter_text: str = Field(min_length=20, max_length=200_000, description="章程 (PARTY-11 clause checked)")
    received_on: date | None = Field(None, description="day the complete application was received; default today")
    filing_no: str | None = Field(None, max_length=20, description="a filed community organisation registering")


class Decision(StrEnum):
    APPROVED = "approved"
    REJECTED = "rejected"


class StepName(StrEnum):
    SUPERVISORY_REVIEW = "supervisory_review"  # 业务主管单位审查
    POLITICAL_REVIEW = "political_review"  # 党建工作机构政治审查
    INTERVIEW = "interview"  # 登记前谈话
    LEADER_NOTICE = "leader_notice"  # 负责人任职前公示
    REGISTRATION_REVIEW = "registration_review"  # 登记管理机关审查
    PUBLICITY = "publicity"  # 登记前公示


class ReasonIn(BaseModel):
    rule: str | None = Field(None, max_length=20)
    reason_zh: str = Field(min_length=1, max_length=500)
    reason_en: str | None = Field(None, max_length=500)


class StepDecision(BaseModel):
    decision: Decision
    opinion: str = Field(min_length=1, max_length=5000, description="意见 / 谈话记录")
    reasons: list[ReasonIn] = Field(default_factory=list, max_length=20, description="required when rejected")
    period_from: date | None = Field(None, description="notice steps: first day of the notice period")
    period_to: date | None = Field(None, description="notice steps: last day (must have passed)")


class StepRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    step_id: int
    step: str
    decision: str
    opinion: str | None
    reasons: list[dict] | None
    period_from: date | None
    period_to: date | None
    actor: str
    actor_role: str
    at: datetime
    superseded_by: str | None


class ApplicationRead(BaseModel):
    application_id: int
    status: str
    name: str
    org_type: str
    division_code: str
    community_class: str | None
    category: str | None
    sector: str | None
    supervisory_unit: str | None
    reservation_id: int
    received_on: date
    decision_due: date
    overdue: bool
    days_left: int
    required_steps: list[str]
    pending_steps: list[str]
    steps: list[StepRead]
    uscc: str | None
    filing_no: str | None
    created_at: datetime


class ApplicationPage(BaseModel):
    items: list[ApplicationRead]
    next_cursor: int | None


class WithdrawRequest(BaseModel):
    reason: str = Field(min_length=1, max_length=500)


class StepCorrection(BaseModel):
    """An authorised correction: the step is superseded (kept in the trail) and the status re-derived."""

    step_id: int
    reason: str = Field(min_length=1, max_length=1000)
    authorised_by: str = Field(min_length=1, max_length=100, description="who authorised it (not the actor)")


class ConditionReport(BaseModel):
    ok: bool
    problems: list[dict]
