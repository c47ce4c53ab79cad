"""Listing on the two lists: triggers with evidence (CR-6, CR-12), re-listing (CR-9), obligations, events."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select

from yishe_contracts.events.credit import CreditList, ListingAction, ListingChanged
from yishe_kit.access import require_jurisdiction, require_role
from yishe_kit.errors import Conflict, InvalidInput, NotFound, Problem

from ..context import Ctx
from ..profile import service as profile_service
from . import repository as repo
from .clock import escalation_date, removable_from
from .models import ListingEntry, ListingTrigger
from .rules import TRIGGERS, TriggerRule, public_reason
from .schemas import ManualListing


@dataclass(frozen=True)
class Change:
    """One thing a rule changed, for job reports and HTTP answers."""

    uscc: str
    what: str
    rule: str
    detail: str
    entry_id: int | None = None

    def as_dict(self) -> dict:
        return {"uscc": self.uscc, "what": self.what, "rule": self.rule, "detail": self.detail,
                "entry_id": self.entry_id}


def rule_for(trigger: str, list_type: str | None = None) -> TriggerRule:
    rule = TRIGGERS.get(trigger)
    if rule is None or (list_type is not None and rule.list_type.value != list_type):
        raise InvalidInput("unknown_trigger", f"{trigger} is not a trigger of the {list_type or 'credit'} list", [
            Problem("trigger", "CR-6" if list_type == "abnormal" else "CR-12",
                    f"{trigger} 不是该名录的列入情形（活动异常名录 CR-6.1–CR-6.7，严重违法失信名单 CR-12.1–CR-12.8）",
                    f"{trigger} is not a listing case of this list (CR-6.1–CR-6.7, CR-12.1–CR-12.8)")])
    return rule


def require_evidence(evidence: list[str]) -> list[str]:
    """No listing without evidence (CR-14: facts, reasons and legal basis are stated)."""
    cleaned = [e.strip() for e in evidence if e and e.strip()]
    if not cleaned:
        raise InvalidInput("evidence_required", "a listing needs at least one item of evidence", [
            Problem("evidence", "CR-14", "列入名录必须附有事实证据",
                    "a listing must carry at least one item of evidence")])
    return cleaned


async def raise_trigger(ctx: Ctx, uscc: str, trigger: str, *, ref: str, evidence: list[str], due_on: date,
                        dedupe_key: str, source: str, legal_basis: str | None = None) -> ListingTrigger:
    """An event-driven trigger (CR-6.1, CR-6.2, CR-6.3): kept pending until the daily job reaches `due_on`."""
    existing = await repo.trigger_by_key(ctx.session, dedupe_key)
    if existing is not None:  # the same fact told twice
        return existing
    rule = rule_for(trigger)
    row = ListingTrigger(
        uscc=uscc, list_type=rule.list_type.value, trigger=trigger, ref=ref, evidence=evidence,
        legal_basis=legal_basis, decided_by=ctx.settings.listing.decided_by, due_on=due_on, dedupe_key=dedupe_key,
        status="pending", source=source, created_at=ctx.clock.now(),
    )
    ctx.session.add(row)
    await ctx.session.flush()
    return row


async def cancel_triggers(ctx: Ctx, uscc: str, ref: str, on: date, reason: str) -> list[ListingTrigger]:
    """The obligation was performed before the listing day: nothing is listed."""
    cancelled = []
    for t in await repo.pending_triggers(ctx.session, uscc=uscc, ref=ref):
        t.status, t.status_on, t.status_reason = "cancelled", on, reason
        cancelled.append(t)
    await ctx.session.flush()
    return cancelled


async def list_due_triggers(ctx: Ctx, as_of: date) -> list[Change]:
    """Daily job: every pending trigger whose day has come by `as_of` is listed, dated by that day (the day the rule
    fixes, `due_on`), not by the day the job ran: a late or missed run catches up with the true dates (CR-6, CR-9)."""
    changes = []
    for t in sorted(await repo.pending_triggers(ctx.session, due_by=as_of), key=lambda t: (t.due_on, t.trigger_id)):
        profile = await profile_service.load(ctx.session, t.uscc)
        if profile is None:
            continue
        entry, change = await list_entry(ctx, profile, rule_for(t.trigger), listed_on=t.due_on, evidence=t.evidence,
                                         ref=t.ref, dedupe_key=t.dedupe_key, legal_basis=t.legal_basis)
        t.status, t.status_on, t.entry_id = "listed", t.due_on, entry.entry_id
        changes.append(change)
    await ctx.session.flush()
    return changes


async def exempt_trigger(ctx: Ctx, trigger_id: int, evidence: list[str], on: date) -> ListingTrigger:
    """CR-8 (draft, off by default): a written certificate that the organisation is not directly responsible."""
    require_role(ctx.principal, "staff", "internal")
    if not ctx.settings.listing.exemption_enabled:
        raise Conflict("exemption_disabled", "the CR-8 exemption is not enabled", [Problem(
            "trigger_id", "CR-8", "“非直接责任”免列入未启用（CR-8 为征求意见稿条款，待确认）",
            "the 'not directly responsible' exemption (CR-8, draft text) is not enabled")])
    trigger = await ctx.session.get(ListingTrigger, trigger_id)
    if trigger is None:
        raise NotFound("trigger_not_found", f"no listing trigger {trigger_id}")
    profile = await profile_service.require(ctx, trigger.uscc)
    require_jurisdiction(ctx.principal, profile.division_code)
    if trigger.status != "pending":
        raise Conflict("trigger_not_pending", f"trigger {trigger_id} is {trigger.status}")
    trigger.status, trigger.status_on = "exempted", ctx.not_after_today(on, "exempted_on", "CR-8")
    trigger.status_reason = "；".join(require_evidence(evidence))
    await ctx.session.flush()
    await profile_service.recolour(ctx, [trigger.uscc])
    return trigger


async def list_manually(ctx: Ctx, body: ManualListing) -> ListingEntry:
    """Staff list an organisation for a CR-6 / CR-12 case, with evidence and the decision date."""
    require_role(ctx.principal, "staff", "internal")
    rule = rule_for(body.trigger, body.list_type)
    if not rule.staff_may_list:
        raise InvalidInput("trigger_automatic", f"{rule.id} is applied only by the daily job", [Problem(
            "trigger", "CR-11", "CR-12.1（列入异常名录满2年）只能由每日任务依据CR-11自动转入",
            "CR-12.1 is applied only by the daily job's CR-11 escalation")])
    evidence = require_evidence(body.evidence)
    profile = await profile_service.require(ctx, body.uscc)
    require_jurisdiction(ctx.principal, profile.division_code)
    listed_on = ctx.not_after_today(body.listed_on or ctx.today(), "listed_on", rule.id)
    key = f"manual:{body.uscc}:{rule.id}:{listed_on}:{body.ref or ''}"
    if await repo.entry_by_key(ctx.session, key) is not None:
        raise Conflict("already_listed", f"{body.uscc} is already listed for {rule.id} on {listed_on}")
    requires = rule.requires_obligation if body.requires_obligation is None else body.requires_obligation
    entry, _ = await list_entry(
        ctx, profile, rule, listed_on=listed_on, evidence=evidence, ref=body.ref or f"manual:{rule.id}:{listed_on}",
        dedupe_key=key, legal_basis=body.legal_basis, decided_by=body.decided_by, requires_obligation=requires,
        obligation=body.obligation)
    await profile_service.recolour(ctx, [profile.uscc])
    return entry


async def list_entry(ctx: Ctx, profile, rule: TriggerRule, *, listed_on: date, evidence: list[str], ref: str | None,
                     dedupe_key: str | None, legal_basis: str | None = None, decided_by: str | None = None,
                     requires_obligation: bool | None = None, obligation: str | None = None,
                     source_entry_ids: list[int] | None = None) -> tuple[ListingEntry, Change]:
    """Put the organisation on a list (CR-6 / CR-12); a listing while already listed restarts the clock (CR-9)."""
    if dedupe_key is not None and (existing := await repo.entry_by_key(ctx.session, dedupe_key)) is not None:
        return existing, Change(profile.uscc, "already_listed", rule.id, "同一事实已列入", existing.entry_id)
    already = bool(await repo.active_entries(ctx.session, profile.uscc, rule.list_type.value))
    requires = rule.requires_obligation if requires_obligation is None else requires_obligation
    entry = ListingEntry(
        uscc=profile.uscc, org_name=profile.org_name, division_code=profile.division_code,
        list_type=rule.list_type.value, trigger=rule.id,
        reason=public_reason(rule, ctx.settings.listing.small_fine_threshold),
        legal_basis=legal_basis or rule.legal_basis, evidence=evidence,
        decided_by=decided_by or ctx.settings.listing.decided_by, listed_on=listed_on,
        action=(ListingAction.RELISTED if already else ListingAction.LISTED).value, status="active",
        requires_obligation=requires, obligation=(obligation or rule.obligation) if requires else None,
        ref=ref, open_refs=[ref] if requires and ref else [], obligation_met_on=None, obligation_evidence=[],
        source_entry_ids=source_entry_ids or [], dedupe_key=dedupe_key, created_at=ctx.clock.now(),
    )
    ctx.session.add(entry)
    await ctx.session.flush()
    await emit(ctx, entry, ListingAction(entry.action), rule="CR-9" if already else rule.id)
    from ..publication import service as publication_service  # publication windows follow each listing (CR-17)

    await publication_service.open_window(ctx, entry)
    what = "relisted" if already else "listed"
    return entry, Change(profile.uscc, f"{rule.list_type.value}_{what}", rule.id, entry.reason, entry.entry_id)


async def emit(ctx: Ctx, entry: ListingEntry, action: ListingAction, *, rule: str) -> None:
    """credit.listing.changed.v1 with the state after the change (procurement reads the two flags)."""
    abnormal, serious = await sync_flags(ctx, entry.uscc)
    entries = await repo.entries_for(ctx.session, entry.uscc)
    possible = removable_from(entry, entries, ctx.settings) if entry.status == "active" else None
    await ctx.outbox.emit(ctx.session, ListingChanged(
        uscc=entry.uscc, list_type=CreditList(entry.list_type), action=action, trigger=entry.trigger,
        reason=entry.reason, evidence=entry.evidence, listed_on=entry.listed_on, removable_from=possible,
        removed_on=entry.ended_on, decided_by=entry.decided_by, abnormal_listed=abnormal, serious_listed=serious,
        rule=rule, end_reason=entry.end_reason, legal_basis=entry.legal_basis, entry_id=entry.entry_id,
        escalates_on=escalation_date(entry, ctx.settings)
        if entry.status == "active" and entry.list_type == "abnormal" else None,
    ))


async def sync_flags(ctx: Ctx, uscc: str) -> tuple[bool, bool]:
    """The profile's two list flags follow the active entries."""
    await ctx.session.flush()
    active = await repo.active_entries(ctx.session, uscc)
    abnormal = any(e.list_type == "abnormal" for e in active)
    serious = any(e.list_type == "serious" for e in active)
    profile = await profile_service.load(ctx.session, uscc)
    if profile is not None:
        profile.abnormal_listed, profile.serious_listed = abnormal, serious
    return abnormal, serious


async def fulfil(ctx: Ctx, uscc: str, ref: str, on: date, evidence: list[str], *, apply_for_removal: bool
                 ) -> list[ListingEntry]:
    """An obligation was performed (report filed, Party organisation set up, rectified): pending triggers for it
    are cancelled and active entries record it; with `apply_for_removal` an application awaits staff (CR-10)."""
    await cancel_triggers(ctx, uscc, ref, on, "义务已履行：" + "；".join(evidence))
    met = []
    for entry in await repo.active_entries(ctx.session, uscc):
        if ref not in entry.open_refs:
            continue
        entry.open_refs = [r for r in entry.open_refs if r != ref]
        entry.obligation_evidence = [*entry.obligation_evidence, *evidence]
        if not entry.open_refs:
            entry.obligation_met_on = on
            met.append(entry)
    await ctx.session.flush()
    if apply_for_removal:
        from . import removal  # removal builds on this module

        for entry in met:
            await removal.open_application(ctx, entry, applied_on=on, applied_by=ctx.actor,
                                           statement="义务已履行：" + "；".join(evidence), evidence=evidence)
    return met


async def record_obligation(ctx: Ctx, entry_id: int, on: date, evidence: list[str]) -> ListingEntry:
    """Staff record that the obligation behind a listing was performed (e.g. rectified, contact restored)."""
    require_role(ctx.principal, "staff", "internal")
    entry = await get_entry(ctx, entry_id)
    if entry.status != "active":
        raise Conflict("entry_not_active", f"list entry {entry_id} is {entry.status}")
    on = ctx.not_after_today(on, "performed_on", "CR-10")
    evidence = require_evidence(evidence)
    entry.open_refs, entry.obligation_met_on = [], on
    entry.obligation_evidence = [*entry.obligation_evidence, *evidence]
    await ctx.session.flush()
    return entry


async def get_entry(ctx: Ctx, entry_id: int) -> ListingEntry:
    entry = await ctx.session.get(ListingEntry, entry_id)
    if entry is None:
        raise NotFound("list_entry_not_found", f"no list entry {entry_id}")
    if ctx.is_staff():
        require_jurisdiction(ctx.principal, entry.division_code)
    return entry


def _until(active: list[ListingEntry], entries: list[ListingEntry], settings) -> date | None:
    """The day the last of these entries can leave its list, if every one of them has such a day."""
    days = [None if e.requires_obligation and e.obligation_met_on is None else removable_from(e, entries, settings)
            for e in active]
    return max(days) if days and None not in days else None  # type: ignore[type-var]


async def colour_inputs(session, usccs: list[str], settings) -> dict[str, dict]:
    """Per organisation: active reasons on each list, when each list can end, pending triggers (for CODE-3)."""
    out: dict[str, dict] = {}
    active = await repo.active_entries_many(session, usccs)
    for e in active:
        d = out.setdefault(e.uscc, {"abnormal": [], "serious": [], "pending": []})
        d[e.list_type].append(e.reason)
    everything = await repo.entries_for_many(session, sorted(out))
    for uscc, d in out.items():
        for kind in ("abnormal", "serious"):
            d[f"{kind}_until"] = _until([e for e in active if e.uscc == uscc and e.list_type == kind],
                                        everything[uscc], settings)
    stmt = select(ListingTrigger).where(ListingTrigger.status == "pending", ListingTrigger.uscc.in_(usccs))
    for t in await session.scalars(stmt):
        out.setdefault(t.uscc, {"abnormal": [], "serious": [], "pending": []})["pending"].append(t)
    return out
