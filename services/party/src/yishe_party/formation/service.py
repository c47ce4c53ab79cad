"""Joint-branch suggestions (PARTY-2): nearby (division) and similar (sector, kind) organisations first."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy.ext.asyncio import AsyncSession

from yishe_contracts.events.party import FormationRoute
from yishe_kit.access import require_jurisdiction, require_role
from yishe_kit.principal import Principal

from ..config import Settings
from ..party_org import service as party_org_service
from ..record import service as record_service
from ..roles import OVERSIGHT_READERS
from .schemas import BranchSuggestion, JointBranchSuggestions, PartnerSuggestion

if TYPE_CHECKING:
    from ..record.models import PartyRecord

MIN_FULL = 3


def _score(me: PartyRecord, other: PartyRecord) -> tuple[int, list[str]]:
    """Division closeness (same district 3, same city 1) + sector (2) + kind (1)."""
    score, reasons = 0, []
    if other.division_code == me.division_code:
        score, reasons = score + 3, [*reasons, "同一区划"]
    elif other.division_code[:4] == me.division_code[:4]:
        score, reasons = score + 1, [*reasons, "同一设区市"]
    if me.sector and other.sector == me.sector:
        score, reasons = score + 2, [*reasons, f"行业相近（{me.sector}）"]
    if other.org_type == me.org_type:
        score, reasons = score + 1, [*reasons, f"同为{me.org_type}"]
    return score, reasons


async def suggest(session: AsyncSession, uscc: str, principal: Principal, settings: Settings, *,
                  limit: int = 10) -> JointBranchSuggestions:
    """PARTY-2: ranked partners and open joint branches in the same division area, and a proposed branch."""
    require_role(principal, *OVERSIGHT_READERS, action_zh="查看联合党支部建议")
    me = await record_service.get_or_404(session, uscc)
    require_jurisdiction(principal, me.division_code)
    area = me.division_code[:settings.joint_branch_division_digits]
    max_units = settings.joint_branch_max_units
    others = [r for r in await record_service.in_division(session, area)
              if r.uscc != uscc and record_service.is_active(r) and r.party_org_id is None
              and r.full_members < MIN_FULL and r.full_members + r.probationary_members > 0]
    ranked = sorted(((r, *_score(me, r)) for r in others), key=lambda x: (-x[1], -x[0].full_members, x[0].uscc))
    partners = [PartnerSuggestion(uscc=r.uscc, org_name=r.org_name, division_code=r.division_code,
                                  org_type=r.org_type, sector=r.sector, full_members=r.full_members,
                                  probationary_members=r.probationary_members, score=s, reasons=why)
                for r, s, why in ranked[:limit]]
    proposed, full = [uscc], me.full_members
    for p in partners:
        if len(proposed) >= max_units or (full >= MIN_FULL and len(proposed) > 1):
            break
        proposed.append(p.uscc)
        full += p.full_members
    branches = []
    for org, units in await party_org_service.open_joint_branches(session, area):
        if len(units) >= max_units:
            continue
        unit_records = (await record_service.find_many(session, units)).values()
        best = max((_score(me, r) for r in unit_records), default=(0, []), key=lambda x: x[0])
        branches.append(BranchSuggestion(org_id=org.org_id, name=org.name, division_code=org.division_code,
                                         units=units, free_places=max_units - len(units), score=best[0],
                                         reasons=best[1]))
    branches.sort(key=lambda b: (-b.score, -b.free_places, b.org_id))
    return JointBranchSuggestions(
        uscc=uscc, route=me.route, applicable=me.route == FormationRoute.JOINT_BRANCH.value and me.party_org_id is None,
        max_units=max_units, branches=branches[:limit], partners=partners, proposed_units=proposed,
        proposed_full_members=full)
