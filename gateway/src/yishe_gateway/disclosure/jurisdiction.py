"""AUTH-2 jurisdiction over organisations and events, in one place (profile views, the change feed, webhooks).

A department account or client has a division prefix ("" = the whole city, "3303" a city, "330302" a county) or a
township's (乡镇/街道) 9-digit code. Each organisation and each feed entry is placed at the most precise division known:
the township a community organisation was filed with (`registry.filing.changed.v1` carries `township_code`, and the
organisation's USCC once it registers), otherwise its registering authority's division (USCC-3 / `division_code`).
An account covers what is placed under its prefix: a county its townships' filings and filed organisations along with
its own, a township only what was filed with it (registry gives townships no registrations: they file).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from yishe_contracts.events.registry import FilingChanged

from ..exchange.models import FeedEntry
from ..identity.principal import Identity, division_of

COUNTY_DIGITS = 6
FILING = FilingChanged.subject_name


def by_township(identity: Identity) -> bool:
    """A township account: only organisations filed with its township are in its jurisdiction."""
    return len(identity.division) > COUNTY_DIGITS


async def filed_with(session: AsyncSession, uscc: str) -> str | None:
    """The township the organisation was filed with before it registered, as the feed learned it."""
    return await session.scalar(select(FeedEntry.division_code).where(
        FeedEntry.uscc == uscc, FeedEntry.subject == FILING).order_by(FeedEntry.seq.desc()).limit(1))


async def place_event(session: AsyncSession, data: Any, uscc: str | None) -> str:
    """Where a feed entry belongs: a filing's township; an organisation's township if it was filed, else its
    division (USCC-3); else the event's `division_code`. A filed organisation's earlier entries (its registration
    may be consumed before the filing event) move to the township with it."""
    township = getattr(data, "township_code", None)
    if township:
        if uscc:
            await session.execute(update(FeedEntry).where(FeedEntry.uscc == uscc,
                                                          FeedEntry.division_code == township[:COUNTY_DIGITS])
                                  .values(division_code=township))
        return township
    if uscc:
        return await filed_with(session, uscc) or division_of(uscc)
    return str(getattr(data, "division_code", "") or "")[:COUNTY_DIGITS]


async def organisation_division(sessionmaker: async_sessionmaker[AsyncSession], identity: Identity, uscc: str
                                ) -> str | None:
    """The organisation's place for this caller's check; None: its USCC's division decides (a prefix of up to six
    digits cannot tell a township's filed organisations from the rest of its county, so only townships look up)."""
    if not by_township(identity):
        return None
    async with sessionmaker() as session:
        return await filed_with(session, uscc) or division_of(uscc)


def feed_condition(identity: Identity) -> ColumnElement[bool] | None:
    """The feed entries in the reader's jurisdiction (None: everything)."""
    if not identity.division:
        return None
    return FeedEntry.division_code.startswith(identity.division, autoescape=True)
