"""What party tells credit: Party coverage where an own Party organisation is required (CR-6.2, PARTY-12)."""

from __future__ import annotations

from datetime import timedelta

from yishe_contracts.events.party import CoverageChanged

from ..context import Ctx
from ..profile import service as profile_service
from . import service


async def coverage_changed(ctx: Ctx, event: CoverageChanged) -> None:
    """Required and not covered → CR-6.2 trigger from the due date; covered → the obligation is performed."""
    profile = await profile_service.for_event(ctx, event.uscc)
    profile.party_required, profile.party_covered = event.required, event.covered
    if event.covered:
        await service.fulfil(ctx, event.uscc, "party_organisation", event.as_of,
                             [f"{event.as_of} 党组织覆盖：{event.reason}（{event.rule}）"], apply_for_removal=True)
    elif event.required:
        due = max(event.due_date or event.as_of, event.as_of) + timedelta(days=ctx.settings.listing.notice_days)
        await service.raise_trigger(
            ctx, event.uscc, "CR-6.2", ref="party_organisation",
            evidence=[f"{event.as_of} 应建未建党组织：{event.reason}（{event.rule}，期限{event.due_date or '—'}）"],
            due_on=due, dedupe_key=f"CR-6.2:{event.uscc}:{event.due_date or event.as_of}", source=event.subject_name)
    await profile_service.recolour(ctx, [profile.uscc])
