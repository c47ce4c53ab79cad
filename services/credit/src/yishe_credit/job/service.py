"""Daily job for `as_of`: CR-6.3 missed rectification deadlines, due triggers listed (CR-6), 6-month automatic
removal (CR-10), 2-year escalation (CR-11) — each dated by the day its rule fixes, caught up day by day —,
信用中国 windows ending (CR-17), CODE-3 recolouring; CR-15 and complaint deadlines reported. Every step changes only
what is not yet changed, so a re-run changes nothing."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from yishe_kit.access import require_role

from ..complaint import service as complaint_service
from ..context import Ctx
from ..inspection import service as inspection_service
from ..listing import removal
from ..listing import repository as listing_repo
from ..listing import service as listing_service
from ..objection import service as objection_service
from ..profile import service as profile_service
from ..publication import service as publication_service
from .models import DailyRun
from .schemas import DailyResult, RunRead


async def run(ctx: Ctx, as_of: date) -> DailyResult:
    """Apply every time-driven rule for `as_of` and report what changed, each with its rule id."""
    require_role(ctx.principal, "staff", "internal")
    changes: list[dict] = []
    changes += await inspection_service.missed_deadlines(ctx, as_of)
    changes += [c.as_dict() for c in await lists_through(ctx, as_of)]
    changes += await publication_service.expire(ctx, as_of)
    changes += await profile_service.recolour_all(ctx, as_of)
    attention = await objection_service.overdue(ctx, as_of) + await complaint_service.overdue_report(ctx, as_of)
    now = ctx.clock.now()
    record = DailyRun(as_of=as_of, ran_at=now, ran_by=ctx.actor, change_count=len(changes), changes=changes)
    ctx.session.add(record)
    await ctx.session.flush()
    return DailyResult(run_id=record.run_id, as_of=as_of, ran_at=now, changes=changes, attention=attention)


async def lists_through(ctx: Ctx, as_of: date) -> list:
    """The list rules caught up day by day: for each day a pending trigger falls due (and `as_of`), first what ends on
    or before it (CR-10 6 months, CR-11 2 years), then what is listed on it. Every entry is dated by its rule's day,
    so a job that runs late, or after missed days, leaves the lists as daily runs would have (CR-9 restarts included).
    """
    due = {t.due_on for t in await listing_repo.pending_triggers(ctx.session, due_by=as_of)}
    changes = []
    for day in sorted(due | {as_of}):
        changes += await removal.auto_remove(ctx, day)
        changes += await removal.escalate(ctx, day)
        changes += await listing_service.list_due_triggers(ctx, day)
    return changes


async def runs(ctx: Ctx, limit: int) -> list[RunRead]:
    require_role(ctx.principal, "staff", "internal", "supervisor")
    rows = await ctx.session.scalars(select(DailyRun).order_by(DailyRun.run_id.desc()).limit(limit))
    return [RunRead.model_validate(r, from_attributes=True) for r in rows]
