"""Reading the lists: public fields for everyone (CR-14), more for staff and the organisation itself."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from yishe_kit.access import jurisdiction_prefix, require_role

from ..context import Ctx
from ..profile import service as profile_service
from . import repository as repo
from .clock import escalation_date, removable_from
from .models import ListingEntry, ListingTrigger
from .schemas import ApplicationRead, EntryPublic, EntryStaff, TriggerRead


def public_view(e: ListingEntry) -> EntryPublic:
    return EntryPublic(org_name=e.org_name, uscc=e.uscc, list_type=e.list_type, reason=e.reason,
                       legal_basis=e.legal_basis, listed_on=e.listed_on, decided_by=e.decided_by,
                       removed_on=e.ended_on, removal_reason=e.end_reason)


def staff_view(e: ListingEntry, entries: list[ListingEntry], settings) -> EntryStaff:
    active = e.status == "active"
    return EntryStaff(
        **public_view(e).model_dump(), entry_id=e.entry_id, trigger=e.trigger, action=e.action, status=e.status,
        evidence=e.evidence, requires_obligation=e.requires_obligation, obligation=e.obligation,
        open_refs=e.open_refs, obligation_met_on=e.obligation_met_on, obligation_evidence=e.obligation_evidence,
        source_entry_ids=e.source_entry_ids, end_rule=e.end_rule,
        removable_from=removable_from(e, entries, settings) if active else None,
        escalates_on=escalation_date(e, settings) if active and e.list_type == "abnormal" else None,
    )


async def entries_of(ctx: Ctx, uscc: str, *, full: bool) -> list[EntryPublic]:
    """An organisation's entries: public ones (corrected errors left out) or the full view."""
    entries = await repo.entries_for(ctx.session, uscc)
    if full:
        return [staff_view(e, entries, ctx.settings) for e in entries]
    return [public_view(e) for e in entries if e.end_rule != "CR-15"]


async def public_list(ctx: Ctx, list_type: str, *, include_removed: bool, division: str, limit: int, offset: int
                      ) -> list[EntryPublic]:
    """CR-14: the list as published; staff also get evidence and dates, limited to their jurisdiction."""
    staff = ctx.is_staff()
    prefix = division
    if staff and ctx.principal.division_prefix and not division.startswith(ctx.principal.division_prefix):
        prefix = ctx.principal.division_prefix
    rows = await repo.public_entries(ctx.session, list_type, include_ended=include_removed, division_prefix=prefix,
                                     limit=limit, offset=offset)
    if not staff:
        return [public_view(e) for e in rows]
    all_entries = await repo.entries_for_many(ctx.session, sorted({e.uscc for e in rows}))
    return [staff_view(e, all_entries[e.uscc], ctx.settings) for e in rows]


async def entry(ctx: Ctx, entry_id: int) -> EntryPublic:
    from .service import get_entry

    e = await get_entry(ctx, entry_id)
    if ctx.is_staff() or ctx.is_own_org(e.uscc):
        return staff_view(e, await repo.entries_for(ctx.session, e.uscc), ctx.settings)
    if e.end_rule == "CR-15":
        from yishe_kit.errors import NotFound

        raise NotFound("list_entry_not_found", f"no list entry {entry_id}")
    return public_view(e)


async def applications(ctx: Ctx, status: str | None) -> list[ApplicationRead]:
    require_role(ctx.principal, "staff", "internal", "supervisor")
    rows = await repo.applications(ctx.session, status, jurisdiction_prefix(ctx.principal))
    return [ApplicationRead.model_validate(a, from_attributes=True) for a in rows]


async def triggers(ctx: Ctx, status: str | None, due_by: date | None) -> list[TriggerRead]:
    require_role(ctx.principal, "staff", "internal", "supervisor")
    stmt = select(ListingTrigger)
    if status:
        stmt = stmt.where(ListingTrigger.status == status)
    if due_by:
        stmt = stmt.where(ListingTrigger.due_on <= due_by)
    rows = await profile_service.in_scope(ctx, await ctx.session.scalars(stmt.order_by(ListingTrigger.trigger_id)),
                                          lambda t: t.uscc)
    return [TriggerRead.model_validate(t, from_attributes=True) for t in rows]
