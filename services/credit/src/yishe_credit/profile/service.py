"""Opening a credit profile at registration and reading it, with the colour decided by CODE-3."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from yishe_contracts.envelope import Envelope
from yishe_contracts.events.credit import CreditProfileOpened
from yishe_contracts.events.registry import OrganisationRegistered
from yishe_kit.errors import NotFound, require_social_org_uscc
from yishe_kit.outbox import Outbox
from yishe_kit.principal import Principal

from . import colour
from .models import ColourChange, CreditProfile
from .schemas import ColourChangeRead, CreditProfileRead


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
        abnormal_listed=False, serious_listed=False, opened_at=now,
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


async def get(session: AsyncSession, uscc: str, principal: Principal) -> CreditProfileRead:
    """The public credit view (CR-14); staff also see the colour history."""
    profile = await session.get(CreditProfile, require_social_org_uscc(uscc))
    if profile is None:
        raise NotFound("credit_profile_not_found", f"no credit profile for {uscc}")
    read = CreditProfileRead(
        uscc=profile.uscc, colour=profile.colour, colour_rule=profile.colour_rule,
        colour_reason=profile.colour_reason, abnormal_listed=profile.abnormal_listed,
        serious_listed=profile.serious_listed, list_entries=[], opened_at=profile.opened_at,
    )
    if principal.is_any("staff", "internal", "org"):
        changes = await session.scalars(select(ColourChange).where(ColourChange.uscc == uscc)
                                        .order_by(ColourChange.change_id))
        read.colour_history = [ColourChangeRead.model_validate(c, from_attributes=True) for c in changes]
    return read
