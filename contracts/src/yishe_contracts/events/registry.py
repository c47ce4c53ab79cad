"""Events owned by the registry service (登记管理)."""

from __future__ import annotations

from datetime import date, datetime
from typing import ClassVar

from pydantic import BaseModel, ConfigDict, Field

from ..envelope import Event
from .common import OrgType, PartyMemberStatus


class PartyMemberCaptured(BaseModel):
    """A Party member captured at registration (PARTY-5). Personal data: only the party service keeps it."""

    model_config = ConfigDict(frozen=True, extra="ignore")
    name: str
    status: PartyMemberStatus
    id_number: str | None = None
    phone: str | None = None


class OrganisationRegistered(Event):
    """An organisation was registered and received its USCC."""

    subject_name: ClassVar[str] = "registry.organisation.registered.v1"

    uscc: str = Field(min_length=18, max_length=18)
    name: str
    org_type: OrgType
    division_code: str = Field(description="GB/T 2260 code of the registering authority")
    address: str
    legal_representative: str
    business_scope: str
    supervisory_unit: str | None = None
    registered_at: datetime
    registration_date: date
    status: str = "active"
    party_full_members: int = Field(ge=0)
    party_probationary_members: int = Field(ge=0)
    party_members: list[PartyMemberCaptured] = Field(default_factory=list)
