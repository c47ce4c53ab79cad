"""The credit view of one organisation: public fields for everyone (CR-14, CODE-4), more for staff and itself."""

from __future__ import annotations

from sqlalchemy import select

from yishe_kit.access import require_jurisdiction

from ..context import Ctx
from .models import ColourChange
from .schemas import AlertRead, ColourChangeRead, CreditProfileRead, ToLeave
from .service import require
from .state import gather


async def profile_view(ctx: Ctx, uscc: str) -> CreditProfileRead:
    from ..listing import views as listing_views
    from ..listing.clock import escalation_date, removable_from
    from ..listing.repository import entries_for
    from ..publication import service as publication_service

    profile = await require(ctx, uscc)
    full = ctx.is_staff() or ctx.is_own_org(uscc)
    if ctx.is_staff():
        require_jurisdiction(ctx.principal, profile.division_code)
    entries = await listing_views.entries_of(ctx, uscc, full=full)
    windows = await publication_service.for_org(ctx, uscc)
    read = CreditProfileRead(
        uscc=profile.uscc, org_name=profile.org_name, org_type=profile.org_type,
        registration_status=profile.registration_status, colour=profile.colour, colour_rule=profile.colour_rule,
        colour_reason=profile.colour_reason, colour_as_of=profile.colour_as_of, colour_until=profile.colour_until,
        abnormal_listed=profile.abnormal_listed, serious_listed=profile.serious_listed,
        list_entries=[e.model_dump(mode="json") for e in entries],
        publication=[w.model_dump(mode="json", include={"tier", "published_from", "min_until", "max_until", "status",
                                                        "ended_on", "window_id", "entry_id"}) for w in windows],
        grade=profile.grade, grade_valid_until=profile.grade_valid_until, opened_at=profile.opened_at,
    )
    if not full:
        return read
    changes = await ctx.session.scalars(select(ColourChange).where(ColourChange.uscc == uscc)
                                        .order_by(ColourChange.change_id))
    read.colour_history = [ColourChangeRead.model_validate(c, from_attributes=True) for c in changes]
    state = (await gather(ctx.session, [profile], ctx.today(), ctx.settings))[uscc]
    read.early_warnings = [AlertRead(rule=a.rule, reason=a.reason, until=a.until) for a in state.early_warnings]
    all_entries = await entries_for(ctx.session, uscc)
    read.to_leave = [ToLeave(entry_id=e.entry_id, list_type=e.list_type, trigger=e.trigger, obligation=e.obligation,
                             obligation_met_on=e.obligation_met_on,
                             removable_from=removable_from(e, all_entries, ctx.settings),
                             escalates_on=escalation_date(e, ctx.settings) if e.list_type == "abnormal" else None)
                     for e in all_entries if e.status == "active"]
    return read
