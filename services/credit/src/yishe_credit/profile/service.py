"""Credit profiles: opened at registration, kept current from events, coloured by CODE-3 on every change."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date
from typing import TypeVar

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from yishe_contracts.envelope import Envelope
from yishe_contracts.events.common import Colour
from yishe_contracts.events.credit import ColourChanged, CreditProfileOpened, CreditProfilesOpened
from yishe_contracts.events.registry import OrganisationRegistered
from yishe_kit import clock
from yishe_kit.access import jurisdiction_prefix, keep_in_jurisdiction, require_jurisdiction, require_role
from yishe_kit.bulk import insert_rows
from yishe_kit.errors import Conflict, NotFound, require_social_org_uscc
from yishe_kit.outbox import Outbox

from ..context import Ctx
from . import colour
from .models import ColourChange, CreditProfile, EarlyWarning
from .state import gather

T = TypeVar("T")


class ProfileMissing(Exception):
    """An event about an organisation whose registration has not reached credit yet: retried by the bus."""


def colour_options(ctx: Ctx) -> colour.ColourOptions:
    c = ctx.settings.colour
    return colour.ColourOptions(mode=c.mode, blue_enabled=c.blue_enabled, blue_min_grade=c.blue_min_grade)


async def load(session: AsyncSession, uscc: str) -> CreditProfile | None:
    return await session.get(CreditProfile, uscc)


async def require(ctx: Ctx, uscc: str) -> CreditProfile:
    """The profile or a 404 (400 first when the code is malformed)."""
    profile = await load(ctx.session, require_social_org_uscc(uscc))
    if profile is None:
        raise NotFound("credit_profile_not_found", f"no credit profile for {uscc}")
    return profile


async def for_event(ctx: Ctx, uscc: str) -> CreditProfile:
    """The profile an event is about, locked for the handler's transaction (see `locked`)."""
    profiles = await locked(ctx.session, [uscc])
    if not profiles:
        raise ProfileMissing(f"no credit profile for {uscc} yet")
    return profiles[0]


async def locked(session: AsyncSession, usccs: list[str]) -> list[CreditProfile]:
    """These profiles as committed, held until the transaction ends: concurrent handlers of one organisation (say an
    overdue report and an expired grade from the same daily job) then recolour it one after the other, the second
    from what the first committed, so a colour change is never recorded twice. PostgreSQL: row locks in USCC order.
    SQLite has no row locks but one writer: the transaction takes the write lock before reading, unless it already
    holds it (pysqlite begins a transaction at its first write). Pending changes are flushed first."""
    await session.flush()
    conn = await session.connection()
    if conn.dialect.name == "sqlite" and not (await conn.get_raw_connection()).driver_connection.in_transaction:
        await conn.exec_driver_sql("BEGIN IMMEDIATE")
    stmt = (select(CreditProfile).where(CreditProfile.uscc.in_(usccs)).order_by(CreditProfile.uscc)
            .with_for_update().execution_options(populate_existing=True))
    return list(await session.scalars(stmt))


async def open_profile(session: AsyncSession, event: OrganisationRegistered, envelope: Envelope, *,
                       outbox: Outbox) -> CreditProfile:
    """CR-4 基础信息: a registered organisation gets a credit profile; its first colour comes from CODE-3."""
    existing = await session.get(CreditProfile, event.uscc)
    if existing is not None:  # one profile per organisation, whatever the event id
        return existing
    decision = colour.decide(colour.CreditState())
    now = clock.now()
    profile = CreditProfile(
        uscc=event.uscc, org_name=event.name, division_code=event.division_code, org_type=event.org_type.value,
        colour=decision.colour.value, colour_rule=decision.rule, colour_reason=decision.reason,
        abnormal_listed=False, serious_listed=False, opened_at=now, registration_date=event.registration_date,
        registration_status="active", last_activity_on=event.registration_date,
    )
    session.add(profile)
    session.add(ColourChange(uscc=event.uscc, from_colour=None, to_colour=decision.colour.value,
                             rule=decision.rule, reason=decision.reason, at=now))
    await session.flush()
    await outbox.emit(session, CreditProfileOpened(
        uscc=profile.uscc, name=profile.org_name, colour=decision.colour, colour_rule=decision.rule,
        colour_reason=decision.reason, opened_at=now,
    ))
    return profile


async def open_profiles(session: AsyncSession, items: list[tuple[OrganisationRegistered, Envelope]], *,
                        outbox: Outbox) -> None:
    """`open_profile` for a batch, set-based: one read of the profiles that exist, the new profiles and their first
    colour changes in one statement each, their `CreditProfileOpened` events in one statement (each caused by its
    registration). The first event about an organisation opens its profile, as one by one."""
    firsts: dict[str, tuple[OrganisationRegistered, Envelope]] = {}
    for event, envelope in items:
        firsts.setdefault(event.uscc, (event, envelope))
    existing = set(await session.scalars(select(CreditProfile.uscc).where(CreditProfile.uscc.in_(sorted(firsts)))))
    new = [(event, envelope) for uscc, (event, envelope) in firsts.items() if uscc not in existing]
    if not new:
        return
    decision = colour.decide(colour.CreditState())
    now = clock.now()
    # Core rows in one statement per table (the ORM's unit of work was most of the cost); yishe_kit.bulk voids
    # exactly these organisations' read-model fragments, as a flush of the same objects would.
    await insert_rows(session, CreditProfile.__table__, [{
        "uscc": event.uscc, "org_name": event.name, "division_code": event.division_code,
        "org_type": event.org_type.value, "colour": decision.colour.value, "colour_rule": decision.rule,
        "colour_reason": decision.reason, "abnormal_listed": False, "serious_listed": False, "opened_at": now,
        "registration_date": event.registration_date, "registration_status": "active",
        "last_activity_on": event.registration_date} for event, _ in new], copy=True)
    await insert_rows(session, ColourChange.__table__, [{
        "uscc": event.uscc, "from_colour": None, "to_colour": decision.colour.value, "rule": decision.rule,
        "reason": decision.reason, "at": now} for event, _ in new], copy=True)
    # A bulk import's profiles go out as bulk events (`credit.profiles.opened.v1`, one per 256), a live one alone.
    await outbox.emit_caused_bulk(session, [(CreditProfileOpened(
        uscc=event.uscc, name=event.name, colour=decision.colour, colour_rule=decision.rule,
        colour_reason=decision.reason, opened_at=now), envelope) for event, envelope in new], CreditProfilesOpened)


async def recolour(ctx: Ctx, usccs: list[str], as_of: date | None = None) -> list[dict]:
    """CODE-3 re-decided for these organisations; each colour change is recorded and emitted with its reason."""
    day = as_of or ctx.today()
    profiles = await locked(ctx.session, usccs)
    states = await gather(ctx.session, profiles, day, ctx.settings)
    options = colour_options(ctx)
    changes = []
    for p in profiles:
        decision = colour.decide(states[p.uscc], options)
        before_rule = p.colour_rule
        p.colour_rule, p.colour_reason, p.colour_as_of = decision.rule, decision.reason, day
        p.colour_until = decision.until
        if decision.colour.value == p.colour:
            continue
        now = ctx.clock.now()
        ctx.session.add(ColourChange(uscc=p.uscc, from_colour=p.colour, to_colour=decision.colour.value,
                                     rule=decision.rule, reason=decision.reason, at=now, as_of=day,
                                     until=decision.until))
        effective = await _colour_effective_on(ctx, p.uscc, decision.rule, before_rule, day)
        await ctx.outbox.emit(ctx.session, ColourChanged(
            uscc=p.uscc, from_colour=Colour(p.colour), to_colour=decision.colour, rule=decision.rule,
            reason=decision.reason, changed_at=now, as_of=day, until=decision.until), effective_date=effective)
        changes.append({"uscc": p.uscc, "what": "colour_changed", "rule": decision.rule,
                        "detail": f"{p.colour} → {decision.colour.value}：{decision.reason}", "entry_id": None})
        p.colour = decision.colour.value
    await ctx.session.flush()
    return changes


LIST_RULES = {"CODE-3/CR-12": "serious", "CODE-3/CR-6": "abnormal"}


async def _colour_effective_on(ctx: Ctx, uscc: str, rule: str, before_rule: str | None, day: date) -> date:
    """CODE-5: a colour a listing decides takes effect with the listing, not on the day credit re-coloured: put on a
    list → the first listing day of the list's active entries; taken off the list that coloured it → the day the
    last of its entries ended. A back-dated (or imported) listing so colours the past from its own day. Anything
    else: the day decided (`day`)."""
    from ..listing import repository as listing_repo  # the listing domain calls recolour() and imports this module

    listed, left = LIST_RULES.get(rule), LIST_RULES.get(before_rule or "")
    if listed is None and left is None:
        return day
    entries = await listing_repo.entries_for(ctx.session, uscc)
    if listed is not None:
        days = [e.listed_on for e in entries if e.list_type == listed and e.status == "active" and e.listed_on <= day]
        return min(days, default=day)
    ended = [e.ended_on for e in entries if e.list_type == left and e.ended_on is not None and e.ended_on <= day]
    return max(ended, default=day)


async def recolour_all(ctx: Ctx, as_of: date, batch: int = 500) -> list[dict]:
    """Daily job: time moves colours too (grade expiry, the downgrade window, penalties leaving the window)."""
    changes: list[dict] = []
    last = ""
    while True:
        usccs = list(await ctx.session.scalars(select(CreditProfile.uscc).where(CreditProfile.uscc > last)
                                               .order_by(CreditProfile.uscc).limit(batch)))
        if not usccs:
            return changes
        changes += await recolour(ctx, usccs, as_of)
        last = usccs[-1]


async def divisions(session: AsyncSession, usccs: list[str]) -> dict[str, str]:
    """The division code of each organisation that has a profile (for keeping lists to a jurisdiction)."""
    if not usccs:
        return {}
    rows = await session.execute(select(CreditProfile.uscc, CreditProfile.division_code)
                                 .where(CreditProfile.uscc.in_(sorted(set(usccs)))))
    return {uscc: division for uscc, division in rows}


async def in_scope(ctx: Ctx, items: Iterable[T], uscc_of: Callable[[T], str | None]) -> list[T]:
    """AUTH-2 for credit lists: the items about organisations in the caller's jurisdiction (the kit's
    `keep_in_jurisdiction` over the profiles' division codes); one about no registered organisation only for
    callers with the whole city."""
    items = list(items)
    if not jurisdiction_prefix(ctx.principal):
        return items
    found = await divisions(ctx.session, [u for i in items if (u := uscc_of(i))])
    return keep_in_jurisdiction(ctx.principal, items, lambda i: found.get(uscc_of(i) or ""))


async def all_profiles(session: AsyncSession, division_prefix: str = "") -> list[CreditProfile]:
    stmt = select(CreditProfile)
    if division_prefix:
        stmt = stmt.where(CreditProfile.division_code.startswith(division_prefix))
    return list(await session.scalars(stmt.order_by(CreditProfile.uscc)))


async def raise_warning(ctx: Ctx, uscc: str, rule: str, reason: str, evidence: list[str], raised_on: date
                        ) -> EarlyWarning:
    """Staff raise a CODE-3 early warning for a fact no event carries (e.g. REG-10 term expired, over age)."""
    from ..listing.service import require_evidence

    require_role(ctx.principal, "staff", "internal")
    profile = await require(ctx, uscc)
    require_jurisdiction(ctx.principal, profile.division_code)
    warning = EarlyWarning(uscc=uscc, rule=rule, reason=reason, evidence=require_evidence(evidence),
                           raised_on=ctx.not_after_today(raised_on, "raised_on", "CODE-3"), raised_by=ctx.actor)
    ctx.session.add(warning)
    await recolour(ctx, [uscc])
    return warning


async def resolve_warning(ctx: Ctx, warning_id: int, resolution: str, resolved_on: date) -> EarlyWarning:
    """The condition behind a staff warning is gone."""
    require_role(ctx.principal, "staff", "internal")
    warning = await ctx.session.get(EarlyWarning, warning_id)
    if warning is None:
        raise NotFound("warning_not_found", f"no early warning {warning_id}")
    require_jurisdiction(ctx.principal, (await require(ctx, warning.uscc)).division_code)
    if warning.resolved_on is not None:
        raise Conflict("warning_resolved", f"early warning {warning_id} was resolved on {warning.resolved_on}")
    warning.resolved_on = ctx.not_after_today(resolved_on, "resolved_on", "CODE-3")
    warning.resolution = resolution
    await recolour(ctx, [warning.uscc])
    return warning
