from __future__ import annotations

from datetime import date

from pydantic import BaseModel, Field

from yishe_contracts.events.credit import CreditList


class ManualListing(BaseModel):
    """Staff listing for a CR-6 / CR-12 case (CR-12.1 only comes from the daily job)."""

    uscc: str = Field(min_length=18, max_length=18)
    list_type: CreditList
    trigger: str = Field(pattern=r"^CR-(6\.[1-7]|12\.[1-8])$", examples=["CR-6.6"])
    evidence: list[str] = Field(description="at least one item: document numbers, facts")
    legal_basis: str | None = None
    listed_on: date | None = Field(default=None, description="decision date; today when omitted")
    decided_by: str | None = None
    requires_obligation: bool | None = Field(default=None, description="override the case's default")
    obligation: str | None = None
    ref: str | None = Field(default=None, max_length=100, description="what must be performed, for matching")


class ObligationPerformed(BaseModel):
    performed_on: date
    evidence: list[str]


class RemovalApply(BaseModel):
    statement: str = Field(min_length=1, max_length=2000)
    evidence: list[str] = Field(default_factory=list)
    applied_on: date | None = None


class RemovalDecision(BaseModel):
    approved: bool
    reason: str | None = None
    decided_on: date | None = None


class Exemption(BaseModel):
    evidence: list[str]
    exempted_on: date


class EntryPublic(BaseModel):
    """Exactly the public fields of a listing (CR-14)."""

    org_name: str
    uscc: str
    list_type: str
    reason: str
    legal_basis: str
    listed_on: date
    decided_by: str
    removed_on: date | None = None
    removal_reason: str | None = None


class EntryStaff(EntryPublic):
    """What staff (and the organisation itself) see in addition."""

    entry_id: int
    trigger: str
    action: str
    status: str
    evidence: list[str]
    requires_obligation: bool
    obligation: str | None
    open_refs: list[str]
    obligation_met_on: date | None
    obligation_evidence: list[str]
    source_entry_ids: list[int]
    end_rule: str | None
    removable_from: date | None = None
    escalates_on: date | None = None


class ApplicationRead(BaseModel):
    application_id: int
    entry_id: int
    uscc: str
    applied_on: date
    applied_by: str
    statement: str
    evidence: list[str]
    status: str
    decided_on: date | None
    decided_by: str | None
    decision_reason: str | None
    removal_due: date | None


class TriggerRead(BaseModel):
    trigger_id: int
    uscc: str
    list_type: str
    trigger: str
    ref: str
    evidence: list[str]
    due_on: date
    status: str
    status_on: date | None
    status_reason: str | None
    entry_id: int | None
    source: str


class RemovalCheck(BaseModel):
    entry_id: int
    on: date
    allowed: bool
    rule: str | None
    possible_from: date | None
    message_zh: str | None
    removable_from: date | None
    escalates_on: date | None
