"""CR-7: two dedicated letters to the registered address, the second sent 15–30 days after the first
(configurable; UNVERIFIED), both unsigned → deemed unreachable, listed under CR-6.6 with both as evidence."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from yishe_kit.access import require_jurisdiction, require_role
from yishe_kit.errors import Conflict, InvalidInput, NotFound, Problem

from ..context import Ctx
from ..listing import service as listing_service
from ..listing.rules import TRIGGERS
from ..profile import service as profile_service
from ..profile.colour import Alert
from .models import Mailing
from .schemas import MailingCreate, MailingOutcome, MailingRead


def read(m: Mailing, ctx: Ctx) -> MailingRead:
    out = MailingRead.model_validate(m, from_attributes=True)
    if m.sequence == 1 and m.outcome == "unsigned":
        rules = ctx.settings.mailing
        out.second_letter_window = (m.sent_on + timedelta(days=rules.min_gap_days),
                                    m.sent_on + timedelta(days=rules.max_gap_days))
    return out


async def _latest(session: AsyncSession, uscc: str) -> Mailing | None:
    return await session.scalar(select(Mailing).where(Mailing.uscc == uscc)
                                .order_by(Mailing.sent_on.desc(), Mailing.mailing_id.desc()).limit(1))


async def send(ctx: Ctx, body: MailingCreate) -> Mailing:
    """Record a letter; a second letter inside the CR-7 window pairs with an unsigned first one."""
    require_role(ctx.principal, "staff", "internal")
    profile = await profile_service.require(ctx, body.uscc)
    require_jurisdiction(ctx.principal, profile.division_code)
    sent_on = ctx.not_after_today(body.sent_on, "sent_on", "CR-7")
    if await ctx.session.scalar(select(Mailing).where(Mailing.tracking_number == body.tracking_number)):
        raise Conflict("tracking_number_used", f"tracking number {body.tracking_number} is already recorded")
    previous = await _latest(ctx.session, body.uscc)
    sequence = 1
    if previous is not None and previous.outcome == "pending":
        raise Conflict("previous_letter_pending", "record whether the previous letter was signed first", [Problem(
            "tracking_number", "CR-7", f"请先登记上一封信函（{previous.tracking_number}）的签收结果",
            f"record the outcome of letter {previous.tracking_number} first")])
    if previous is not None and previous.outcome == "unsigned" and previous.sequence == 1:
        rules = ctx.settings.mailing
        gap = (sent_on - previous.sent_on).days
        if gap < rules.min_gap_days:
            earliest = previous.sent_on + timedelta(days=rules.min_gap_days)
            raise InvalidInput("second_letter_too_early", f"the second letter may be sent from {earliest}", [Problem(
                "sent_on", "CR-7",
                f"第二次专用信函须在首次寄出（{previous.sent_on}）后不少于{rules.min_gap_days}日寄出，最早 {earliest}",
                f"the second letter must follow the first by at least {rules.min_gap_days} days "
                f"(from {earliest})")])
        sequence = 2 if gap <= rules.max_gap_days else 1  # too late: this letter starts a new pair
    mailing = Mailing(uscc=body.uscc, tracking_number=body.tracking_number, address=body.address, sent_on=sent_on,
                      outcome="pending", sequence=sequence, recorded_by=ctx.actor)
    ctx.session.add(mailing)
    await ctx.session.flush()
    return mailing


async def record_outcome(ctx: Ctx, mailing_id: int, body: MailingOutcome) -> Mailing:
    """Signed or not; the second unsigned letter of a pair lists the organisation under CR-6.6."""
    require_role(ctx.principal, "staff", "internal")
    mailing = await ctx.session.get(Mailing, mailing_id)
    if mailing is None:
        raise NotFound("mailing_not_found", f"no mailing {mailing_id}")
    profile = await profile_service.require(ctx, mailing.uscc)
    require_jurisdiction(ctx.principal, profile.division_code)
    if mailing.outcome != "pending":
        raise Conflict("outcome_recorded", f"mailing {mailing_id} was already recorded as {mailing.outcome}")
    on = ctx.not_after_today(body.outcome_on, "outcome_on", "CR-7")
    if on < mailing.sent_on:
        raise InvalidInput("outcome_before_sending", "the outcome precedes the sending date", [Problem(
            "outcome_on", "CR-7", "签收结果日期不能早于寄出日期", "the outcome date precedes the sending date")])
    mailing.outcome, mailing.outcome_on = ("signed" if body.signed else "unsigned"), on
    await ctx.session.flush()
    if not body.signed and mailing.sequence == 2:
        first = await ctx.session.scalar(select(Mailing).where(
            Mailing.uscc == mailing.uscc, Mailing.sequence == 1, Mailing.outcome == "unsigned",
            Mailing.sent_on < mailing.sent_on).order_by(Mailing.sent_on.desc()).limit(1))
        evidence = [f"第一次专用信函 {first.tracking_number}：{first.sent_on} 寄往“{first.address}”，"
                    f"{first.outcome_on} 确认无人签收" if first else "第一次专用信函无人签收",
                    f"第二次专用信函 {mailing.tracking_number}：{mailing.sent_on} 寄往“{mailing.address}”，"
                    f"{on} 确认无人签收"]
        entry, _ = await listing_service.list_entry(
            ctx, profile, TRIGGERS["CR-6.6"], listed_on=on, evidence=evidence, ref="contact",
            dedupe_key=f"CR-6.6:mailing:{mailing.mailing_id}",
            legal_basis=TRIGGERS["CR-6.6"].legal_basis + "；两次专用信函无人签收视为无法取得联系（CR-7）")
        mailing.entry_id = entry.entry_id
    await profile_service.recolour(ctx, [mailing.uscc])
    return mailing


async def for_org(ctx: Ctx, uscc: str) -> list[MailingRead]:
    require_role(ctx.principal, "staff", "internal", "supervisor")
    profile = await profile_service.require(ctx, uscc)
    require_jurisdiction(ctx.principal, profile.division_code)
    rows = await ctx.session.scalars(select(Mailing).where(Mailing.uscc == uscc).order_by(Mailing.sent_on))
    return [read(m, ctx) for m in rows]


async def alerts(session: AsyncSession, usccs: list[str]) -> dict[str, list[Alert]]:
    """CODE-3 yellow: the latest letter is a first one nobody signed for."""
    latest: dict[str, Mailing] = {}
    for m in await session.scalars(select(Mailing).where(Mailing.uscc.in_(usccs))
                                   .order_by(Mailing.sent_on, Mailing.mailing_id)):
        latest[m.uscc] = m
    return {u: [Alert("CR-7", "首次专用信函无人签收")] for u, m in latest.items()
            if m.outcome == "unsigned" and m.sequence == 1}


async def unsigned_count(session: AsyncSession, usccs: list[str], since: date) -> dict[str, int]:
    out: dict[str, int] = {}
    for u in await session.scalars(select(Mailing.uscc).where(Mailing.uscc.in_(usccs), Mailing.outcome == "unsigned",
                                                              Mailing.sent_on >= since)):
        out[u] = out.get(u, 0) + 1
    return out
