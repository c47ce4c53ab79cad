"""CR-17 (NDRC 《信用修复管理办法》, in force 2026-04-01): 一般 3 months–1 year, 严重 1–3 years (configurable).
Repair needs the minimum period, the obligations performed and a credit commitment; the maximum ends it."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from yishe_kit.access import require_jurisdiction, require_role
from yishe_kit.errors import Conflict, InvalidInput, NotFound, Problem

from ..context import Ctx
from ..dates import add_months
from ..listing.models import ListingEntry
from ..profile import service as profile_service
from .models import PublicationWindow
from .schemas import RepairApply, RepairDecision, WindowRead


async def open_window(ctx: Ctx, entry: ListingEntry) -> PublicationWindow:
    """Each listing is published from its listing date for the tier's period."""
    existing = await ctx.session.scalar(select(PublicationWindow).where(PublicationWindow.entry_id == entry.entry_id))
    if existing is not None:
        return existing
    rules = ctx.settings.publication
    tier = rules.list_tiers.get(entry.list_type, "一般")
    low, high = rules.tiers[tier]
    window = PublicationWindow(uscc=entry.uscc, entry_id=entry.entry_id, tier=tier, published_from=entry.listed_on,
                               min_until=add_months(entry.listed_on, low), max_until=add_months(entry.listed_on, high),
                               status="published")
    ctx.session.add(window)
    await ctx.session.flush()
    return window


async def _load(ctx: Ctx, window_id: int) -> PublicationWindow:
    window = await ctx.session.get(PublicationWindow, window_id)
    if window is None:
        raise NotFound("publication_window_not_found", f"no publication window {window_id}")
    return window


def _conflict(rule: str, zh: str, en: str, field: str = "window_id") -> Conflict:
    return Conflict("repair_not_allowed", en, [Problem(field, rule, zh, en)])


async def apply_repair(ctx: Ctx, window_id: int, body: RepairApply) -> PublicationWindow:
    """信用修复 application: refused until the minimum period has passed and the list obligations are performed."""
    window = await _load(ctx, window_id)
    if not ctx.is_own_org(window.uscc):
        require_role(ctx.principal, "staff", "internal")
    on = ctx.not_after_today(body.applied_on or ctx.today(), "applied_on", "CR-17")
    if window.status != "published" or window.repair_status == "pending":
        raise _conflict("CR-17", f"该公示状态为{window.status}，或已有修复申请在办", f"window is {window.status} "
                        "or a repair application is pending")
    if on < window.min_until:
        raise _conflict("CR-17", f"公示未满最短期限，最早可于 {window.min_until} 申请信用修复",
                        f"the minimum publication period ends on {window.min_until}; repair possible from then")
    entry = await ctx.session.get(ListingEntry, window.entry_id)
    if entry is not None and entry.status != "removed" and entry.obligation_met_on is None:
        raise _conflict("CR-17", "尚未履行名录相关义务或仍在名录中，不能修复",
                        "the listing's obligations are not performed / still listed")
    window.repair_status, window.repair_applied_on, window.repair_commitment = "pending", on, body.commitment
    await ctx.session.flush()
    return window


async def decide_repair(ctx: Ctx, window_id: int, body: RepairDecision) -> PublicationWindow:
    """Staff decide a repair application; approval ends the publication (the list status is untouched)."""
    require_role(ctx.principal, "staff", "internal")
    window = await _load(ctx, window_id)
    require_jurisdiction(ctx.principal, (await profile_service.require(ctx, window.uscc)).division_code)
    if window.repair_status != "pending":
        raise Conflict("no_pending_repair", f"window {window_id} has no pending repair application")
    on = ctx.not_after_today(body.decided_on or ctx.today(), "decided_on", "CR-17")
    if on < (window.repair_applied_on or on):
        raise InvalidInput("date_order", "decision before application", [Problem(
            "decided_on", "CR-17", "决定日期不能早于申请日期", "the decision may not precede the application")])
    window.repair_decided_on, window.repair_decision = on, body.reason
    window.repair_status = "approved" if body.approved else "refused"
    if body.approved:
        window.status, window.ended_on, window.end_rule = "repaired", on, "CR-17"
        window.end_reason = "信用修复，停止公示"
    await ctx.session.flush()
    return window


async def end_for_entry(ctx: Ctx, entry_id: int, on: date, rule: str, reason: str) -> None:
    window = await ctx.session.scalar(select(PublicationWindow).where(PublicationWindow.entry_id == entry_id))
    if window is not None and window.status == "published":
        window.status, window.ended_on, window.end_rule, window.end_reason = "withdrawn", on, rule, reason


async def expire(ctx: Ctx, as_of: date) -> list[dict]:
    """Daily job: publication stops automatically at the maximum period (CR-17)."""
    changes = []
    rows = await ctx.session.scalars(select(PublicationWindow).where(
        PublicationWindow.status == "published", PublicationWindow.max_until <= as_of))
    for w in rows:
        w.status, w.ended_on, w.end_rule, w.end_reason = "expired", as_of, "CR-17", "公示期满，自动停止公示"
        changes.append({"uscc": w.uscc, "what": "publication_expired", "rule": "CR-17",
                        "detail": f"第{w.window_id}号公示（{w.tier}）期满", "entry_id": w.entry_id})
    await ctx.session.flush()
    return changes


async def for_org(ctx: Ctx, uscc: str) -> list[WindowRead]:
    """An organisation's 信用中国 windows (public: what is shown and until when)."""
    await profile_service.require(ctx, uscc)
    rows = await ctx.session.scalars(select(PublicationWindow).where(
        PublicationWindow.uscc == uscc, PublicationWindow.status != "withdrawn").order_by(PublicationWindow.window_id))
    return [WindowRead.model_validate(w, from_attributes=True) for w in rows]
