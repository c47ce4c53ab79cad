from __future__ import annotations

from datetime import date
from decimal import Decimal

from pydantic import BaseModel

from ..community.schemas import CommunityCoverage


class CoverageRow(BaseModel):
    """One division and kind: 党的组织覆盖率 (in a Party organisation) and 党的工作覆盖率 (that or an instructor /
    liaison / "1+N" lead)."""

    division_code: str
    org_type: str
    organisations: int
    organisation_covered: int
    work_covered: int
    organisation_coverage_rate: Decimal
    work_coverage_rate: Decimal
    own_required: int
    own_established: int
    flagged_uncovered: int


class CoverageReport(BaseModel):
    as_of: date
    division: str
    rows: list[CoverageRow]
    total: CoverageRow
    community: CommunityCoverage | None = None
    """PARTY-13: community organisations (registered and filed) that reported to the community Party organisation."""


class UncoveredRead(BaseModel):
    """An organisation flagged as not covered (for reminders at its next filing, PARTY-5 Xuecheng variant)."""

    uscc: str
    org_name: str
    division_code: str
    route: str
    required: bool
    flagged_as_of: date | None
    due_date: date | None


class CoverageChangeRead(BaseModel):
    uscc: str
    covered: bool
    required: bool
    route: str
    rule: str
    reason: str
