from __future__ import annotations

from datetime import date
from decimal import Decimal

from pydantic import BaseModel, Field


class CommunityReportCreate(BaseModel):
    uscc: str | None = Field(default=None, min_length=18, max_length=18, description="registered ones")
    filing_no: str | None = Field(default=None, min_length=1, max_length=40, description="filed (备案) ones")
    party_org_name: str = Field(min_length=2, max_length=200, description="社区（村）党组织")
    reported_on: date | None = None


class CommunityReportRead(BaseModel):
    report_id: int
    uscc: str | None
    filing_no: str | None
    org_name: str
    division_code: str
    township_code: str | None
    party_org_name: str
    reported_on: date
    ended_on: date | None


class CommunityCoverage(BaseModel):
    """PARTY-13: community organisations (registered community ones and filed ones) that reported to the community
    Party organisation."""

    organisations: int
    reported: int
    rate: Decimal
