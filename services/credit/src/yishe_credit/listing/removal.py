"""Leaving a list: on application after verification (CR-10, CR-13), automatically after 6 months (CR-10),
by escalation after 2 full years (CR-11), at 注销 (CR-13) and by correction after an objection (CR-15)."""

from __future__ import annotations

from datetime import date

from yishe_contracts.events.credit import ListingAction
from yishe_kit.access import require_role
from yishe_kit.errors import Conflict, NotFound, Problem

from ..context import Ctx
from ..profile import service as profile_service
from . import repository as repo
from .clock import auto_removal_date, escalation_date, removable_from, removal_refusal
from .models import ListingEntry, RemovalApplication
from .rules import TRIGGERS
from .schemas import RemovalApply, RemovalDecision
from .service import Change, emit, get_entry, list_entry


def _refuse(refusal, field: str) -> Conflict:
    when = f" (possible from {refusal.possible_from})" if refusal.possible_from else ""
    zh_when = f"（最早可于 {refusal.possible_from}）" if refusal.possible_from else ""
    err = Conflict("removal_not_allowed", f"removal refused under {refusal.rule}{when}: {refusal.message_en}",
                   [Problem(field, refusal.rule, refusal.message_zh + zh_when, refusal.message_en)])
    err.detail += f"; possible_from={refusal.possible_from}" if refusal.possible_from else ""
    return err


async def open_application(ctx: Ctx, entry: ListingEntry, *, applied_on: date, applied_by: str, statement: str,
                           evidence: list[str]) -> RemovalApplication:
    """An application to leave a list; one pending application per entry."""
    existing = await repo.pending_application(ctx.session, entry.entry_id)
    if existing is not None:
        return existing
    app = RemovalApplication(entry_id=entry.entry_id, uscc=entry.uscc, applied_on=applied_on, applied_by=applied_by,
                             statement=statement, evidence=evidence, status="pending")
    ctx.session.add(app)
    await ctx.session.flush()
    return app


async def apply(ctx: Ctx, entry_id: int, body: RemovalApply) -> RemovalApplication:
    """The organisation (or staff on its behalf) applies; refused at once when the rules forbid it, with the date."""
    entry = await get_entry(ctx, entry_id)
    if not (ctx.is_own_org(entry.uscc) or ctx.principal.is_any("staff", "internal")):
        require_role(ctx.principal, "staff", "internal")  # raises: only the organisation itself or staff apply
    if entry.status != "active":
        raise Conflict("entry_not_active", f"list entry {entry_id} is {entry.status}")
    applied_on = ctx.not_after_today(body.applied_on or ctx.today(), "applied_on", "CR-10")
    refusal = removal_refusal(entry, await repo.entries_for(ctx.session, entry.uscc), ctx.settings, applied_on)
    if refusal is not None:
        raise _refuse(refusal, "entry_id")
    return await open_application(ctx, entry, applied_on=applied_on, applied_by=ctx.actor, statement=body.statement,
                                  evidence=body.evidence)


async def decide(ctx: Ctx, application_id: int, body: RemovalDecision) -> RemovalApplication:
    """Staff verify: approved → removed on the verification day, at the latest 5 working days after (CR-10/13)."""
    require_role(ctx.principal, "staff", "internal")
    app = await ctx.session.get(RemovalApplication, application_id)
    if app is None:
        raise NotFound("removal_application_not_found", f"no removal application {application_id}")
    entry = await get_entry(ctx, app.entry_id)
    if app.status != "pending":
        raise Conflict("application_decided", f"application {application_id} is already {app.status}")
    decided_on = ctx.not_after_today(body.decided_on or ctx.today(), "decided_on", "CR-10")
    if decided_on < app.applied_on:
        raise Conflict("decided_before_applied", "the decision cannot precede the application", [Problem(
            "decided_on", "CR-10", "核实日期不能早于申请日期", "the decision date precedes the application date")])
    app.decided_on, app.decided_by, app.decision_reason = decided_on, ctx.actor, body.reason
    if not body.approved:
        app.status = "refused"
        await ctx.session.flush()
        return app
    if entry.status != "active":
        raise Conflict("entry_not_active", f"list entry {entry.entry_id} is {entry.status}")
    refusal = removal_refusal(entry, await repo.entries_for(ctx.session, entry.uscc), ctx.settings, decided_on)
    if refusal is not None:
        raise _refuse(refusal, "approved")
    rule = "CR-10" if entry.list_type == "abnormal" else "CR-13"
    app.status = "approved"
    app.removal_due = ctx.calendar.add_working_days(decided_on, ctx.settings.listing.removal_working_days)
    reason = ("已履行义务、完成整改，经核实移出" if entry.requires_obligation
              else "列入期限届满，经申请核实移出")
    await end_entry(ctx, entry, on=decided_on, rule=rule, reason=body.reason or reason, status="removed")
    await profile_service.recolour(ctx, [entry.uscc])
    return app


async def end_entry(ctx: Ctx, entry: ListingEntry, *, on: date, rule: str, reason: str, status: str) -> Change:
    entry.status, entry.ended_on, entry.end_rule, entry.end_reason = status, on, rule, reason
    await ctx.session.flush()
    action = ListingAction.ESCALATED if status == "escalated" else ListingAction.REMOVED
    await emit(ctx, entry, action, rule=rule)
    return Change(entry.uscc, f"{entry.list_type}_{status}", rule, reason, entry.entry_id)


async def auto_remove(ctx: Ctx, as_of: date) -> list[Change]:
    """CR-10: nothing to rectify and 6 full months on the list (counted per CR-9) → removed automatically, on the day
    the months are full (a late run still dates the removal by the rule)."""
    changes = []
    by_org: dict[str, list[ListingEntry]] = {}
    for e in await repo.active_entries_many(ctx.session, None, "abnormal"):
        by_org.setdefault(e.uscc, []).append(e)
    for uscc, active in by_org.items():
        due = auto_removal_date(await repo.entries_for(ctx.session, uscc), ctx.settings)
        if due is None or as_of < due:
            continue
        for entry in active:
            if not entry.requires_obligation:
                reason = f"列入满{ctx.settings.listing.auto_removal_months}个月且无需整改，自动移出"
                changes.append(await end_entry(ctx, entry, on=due, rule="CR-10", reason=reason, status="removed"))
    return changes


async def escalate(ctx: Ctx, as_of: date) -> list[Change]:
    """CR-11: an organisation with an abnormal entry unresolved for 2 full years moves to the serious list (CR-12.1),
    on the day the first of its entries has been listed 2 full years (not the day the job noticed it)."""
    changes: list[Change] = []
    by_org: dict[str, list[ListingEntry]] = {}
    for e in await repo.active_entries_many(ctx.session, None, "abnormal"):
        by_org.setdefault(e.uscc, []).append(e)
    for uscc, active in by_org.items():
        day = min(escalation_date(e, ctx.settings) for e in active)
        if day > as_of:
            continue
        active = [e for e in active if e.listed_on <= day]  # listed after the escalation day: not part of it
        profile = await profile_service.load(ctx.session, uscc)
        if profile is None:
            continue
        open_refs = sorted({r for e in active for r in e.open_refs})
        obligations = [e.obligation for e in active if e.open_refs and e.obligation]
        evidence = [f"活动异常名录第{e.entry_id}号：{e.listed_on} 列入（{e.trigger} {e.reason}）" for e in active]
        reason = f"列入活动异常名录满{ctx.settings.listing.escalation_years}年，转入严重违法失信名单"
        for e in active:  # state first, events after: every event then carries the final pair of flags
            e.status, e.ended_on, e.end_rule, e.end_reason = "escalated", day, "CR-11", reason
        await ctx.session.flush()
        serious, change = await list_entry(
            ctx, profile, TRIGGERS["CR-12.1"], listed_on=day, evidence=evidence, ref=None,
            dedupe_key=f"CR-12.1:{uscc}:{day}", requires_obligation=bool(open_refs),
            obligation="；".join(dict.fromkeys(obligations)) or None, source_entry_ids=[e.entry_id for e in active])
        serious.open_refs = open_refs
        for e in active:
            await emit(ctx, e, ListingAction.ESCALATED, rule="CR-11")
            changes.append(Change(uscc, "abnormal_escalated", "CR-11", reason, e.entry_id))
        changes.append(change)
    await ctx.session.flush()
    return changes


async def remove_at_deregistration(ctx: Ctx, uscc: str, on: date, evidence: str) -> list[Change]:
    """CR-13: entries for 吊销/撤销 leave the serious list once 注销 completes."""
    changes = []
    for entry in await repo.active_entries(ctx.session, uscc, "serious"):
        if TRIGGERS[entry.trigger].removed_at_deregistration:
            changes.append(await end_entry(ctx, entry, on=on, rule="CR-13",
                                           reason=f"已办理注销登记，依规移出（{evidence}）", status="removed"))
    return changes


async def remove_by_correction(ctx: Ctx, entry: ListingEntry, on: date, correction: str) -> Change:
    """CR-15: an objection found the listing wrong; it is corrected (and is not published as a past listing)."""
    if entry.status != "active":
        raise Conflict("entry_not_active", f"list entry {entry.entry_id} is {entry.status}")
    return await end_entry(ctx, entry, on=on, rule="CR-15", reason=f"经异议核实更正：{correction}", status="removed")


async def staff_remove_check(ctx: Ctx, entry_id: int, on: date) -> dict:
    """What the rules say about removing this entry on a day (for staff and the organisation itself)."""
    entry = await get_entry(ctx, entry_id)
    entries = await repo.entries_for(ctx.session, entry.uscc)
    refusal = removal_refusal(entry, entries, ctx.settings, on) if entry.status == "active" else None
    return {"entry_id": entry.entry_id, "on": on, "allowed": entry.status == "active" and refusal is None,
            "rule": refusal.rule if refusal else None,
            "possible_from": refusal.possible_from if refusal else None,
            "message_zh": refusal.message_zh if refusal else None,
            "removable_from": removable_from(entry, entries, ctx.settings) if entry.status == "active" else None,
            "escalates_on": escalation_date(entry, ctx.settings)
            if entry.list_type == "abnormal" and entry.status == "active" else None}
