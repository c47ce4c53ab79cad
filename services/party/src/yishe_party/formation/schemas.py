from __future__ import annotations

from pydantic import BaseModel


class BranchSuggestion(BaseModel):
    """An existing joint branch with room for one more unit."""

    org_id: int
    name: str
    division_code: str
    units: list[str]
    free_places: int
    score: int
    reasons: list[str]


class PartnerSuggestion(BaseModel):
    """An organisation without a Party organisation that could form a joint branch with this one."""

    uscc: str
    org_name: str
    division_code: str
    org_type: str
    sector: str | None
    full_members: int
    probationary_members: int
    score: int
    reasons: list[str]


class JointBranchSuggestions(BaseModel):
    """PARTY-2: 地域相邻、行业相近、规模适当、便于管理; at most `max_units` units, ≥ 3 full members in total."""

    uscc: str
    route: str
    applicable: bool
    rule: str = "PARTY-2"
    max_units: int
    branches: list[BranchSuggestion]
    partners: list[PartnerSuggestion]
    proposed_units: list[str]
    proposed_full_members: int
