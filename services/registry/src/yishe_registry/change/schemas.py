from __future__ import annotations

from datetime import date
from decimal import Decimal
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from ..organisation.schemas import LeaderIn, LegalRepresentative
from ..workforce.schemas import WorkforceIn


class ChangeRequest(BaseModel):
    """变更登记: only the fields given change. `consent_date` = the supervisory unit's consent (REG-2)."""

    model_config = ConfigDict(str_strip_whitespace=True)

    name: str | None = Field(None, max_length=100)
    township: str | None = Field(None, max_length=50, description="community organisations' names (REG-7)")
    village: str | None = Field(None, max_length=50)
    address: str | None = Field(None, min_length=2, max_length=300)
    business_scope: str | None = Field(None, min_length=2, max_length=2000)
    supervisory_unit: str | None = Field(None, max_length=200)
    sector: str | None = Field(None, max_length=100)
    activity_funds: Decimal | None = Field(None, ge=0, max_digits=14, decimal_places=2)
    legal_representative: LegalRepresentative | None = None
    leaders: list[LeaderIn] | None = Field(None, min_length=1, max_length=100)
    consent_date: date | None = None
    workforce: WorkforceIn | None = Field(None, description="WORK-1: the current year's full-time staff, certified "
                                          "social workers and volunteers (kept current between annual reports)")
    reason: str = Field(min_length=1, max_length=1000)


class ChangeRead(BaseModel):
    uscc: str
    changes: dict[str, dict]
    change_date: date
    consent_date: date | None
    deadline: date | None
    late: bool
    reminders: list[str]
    status: str = Field("registered", description="registered | awaiting_audit (TPA-2: the outgoing legal "
                        "representative's audit is not filed yet; the change completes when it is)")
    pending_id: int | None = None


class BranchKind(StrEnum):
    BRANCH = "分支机构"
    REPRESENTATIVE = "代表机构"


class BranchCreate(BaseModel):
    model_config = ConfigDict(str_strip_whitespace=True)

    name: str = Field(min_length=2, max_length=100, description="e.g. 青年工作委员会")
    kind: BranchKind = BranchKind.BRANCH
    regional: bool = Field(False, description="a regional branch (地域性分支机构)")
    parent_branch_id: int | None = Field(None, description="a branch under another branch")
    address: str | None = Field(None, max_length=300)
    leader_name: str | None = Field(None, max_length=100)
    business_scope: str | None = Field(None, max_length=2000)


class BranchRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    branch_id: int
    uscc: str
    name: str
    full_name: str
    kind: str
    regional: bool
    address: str | None
    leader_name: str | None
    status: str
    registered_on: date
    deregistered_on: date | None


class BranchDeregister(BaseModel):
    reason: str = Field(min_length=1, max_length=500)
