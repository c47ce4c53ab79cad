"""Credit profiles: opened at registration, kept current from events, coloured by CODE-3 on every change."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from yishe_contracts.envelope import Envelope
from yishe_contracts.events.common import Colour
from yishe_contracts.events.credit import ColourChanged, CreditProfileOpened
from yishe_contracts.events.registry import OrganisationRegistered
from yishe_kit.errors import Conflict, NotFound, require_social_org_uscc
from yishe_kit.outbox import Outbox

from ..context import Ctx
from . import colour
from .models import ColourChange, CreditProfile, EarlyWarning
from .state import gather


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
    now = datetime.now(UTC)
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


async def recolour(ctx: Ctx, usccs: list[str], as_of: date | None = None) -> list[dict]:
    """CODE-3 re-decided for these organisations; each colour change is recorded and emitted with its reason."""
    day = as_of or ctx.today()
    profiles = await locked(ctx.session, usccs)
    states = await gather(ctx.session, profiles, day, ctx.settings)
    options = colour_options(ctx)
    changes = []
    for p in profiles:
        decision = colour.decide(states[p.uscc], options)
        p.colour_rule, p.colour_reason, p.colour_as_of = decision.rule, decision.reason, day
        p.colour_until = decision.until
        if decision.colour.value == p.colour:
            continue
        now = datetime.now(UTC)
        ctx.session.add(ColourChange(uscc=p.uscc, from_colour=p.colour, to_colour=decision.colour.value,
                                     rule=decision.rule, reason=decision.reason, at=now, as_of=day,
                                     until=decision.until))
        await ctx.outbox.emit(ctx.session, ColourChanged(
            uscc=p.uscc, from_colour=Colour(p.colour), to_colour=decision.colour, rule=decision.rule,
            reason=decision.reason, changed_at=now, as_of=day, until=decision.until))
        changes.append({"uscc": p.uscc, "what": "colour_changed", "rule": decision.rule,
                        "detail": f"{p.colour} → {decision.colour.value}：{decision.reason}", "entry_id": None})
        p.colour = decision.colour.value
    await ctx.session.flush()
    return changes


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


async def all_profiles(session: AsyncSession, division_prefix: str = "") -> list[CreditProfile]:
    stmt = select(CreditProfile)
    if division_prefix:
        stmt = stmt.where(CreditProfile.division_code.startswith(division_prefix))
    return list(await session.scalars(stmt.order_by(CreditProfile.uscc)))


async def raise_warning(ctx: Ctx, uscc: str, rule: str, reason: str, evidence: list[str], raised_on: date
                        ) -> EarlyWarning:
    """Staff raise a CODE-3 early warning for a fact no event carries (e.g. REG-10 term expired, over age)."""
    from ..listing.service import require_evidence

    ctx.require("staff", "internal")
    profile = await require(ctx, uscc)
    ctx.check_jurisdiction(profile.division_code)
    warning = EarlyWarning(uscc=uscc, rule=rule, reason=reason, evidence=require_evidence(evidence),
                           raised_on=ctx.not_after_today(raised_on, "raised_on", "CODE-3"), raised_by=ctx.actor)
    ctx.session.add(warning)
    await recolour(ctx, [uscc])
    return warning


async def resolve_warning(ctx: Ctx, warning_id: int, resolution: str, resolved_on: date) -> EarlyWarning:
    """The condition behind a staff warning is gone."""
    ctx.require("staff", "internal")
    warning = await ctx.session.get(EarlyWarning, warning_id)
    if warning is None:
        raise NotFound("warning_not_found", f"no early warning {warning_id}")
    ctx.check_jurisdiction((await require(ctx, warning.uscc)).division_code)
    if warning.resolved_on is not None:
        raise Conflict("warning_resolved", f"early warning {warning_id} was resolved on {warning.resolved_on}")
    warning.resolved_on = ctx.not_after_today(resolved_on, "resolved_on", "CODE-3")
    warning.resolution = resolution
    await recolour(ctx, [warning.uscc])
    return warning
