"""The change feed: every organisation history entry in id order, public fields only, polled with a cursor."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from yishe_kit.access import jurisdiction_prefix, require_role
from yishe_kit.principal import Principal

from ..organisation.models import Organisation, OrganisationHistory
from .schemas import FeedItem, FeedPage

PERSONAL = ("legal_rep_id_number", "legal_rep_phone", "id_number", "phone")


def _public(values: dict | None) -> dict | None:
    if values is None:
        return None
    return {k: v for k, v in values.items() if k not in PERSONAL}


async def page(session: AsyncSession, principal: Principal, cursor: int, limit: int, settle_seconds: float,
               ) -> FeedPage:
    """FEED-1 [P]: entries after `cursor`; on PostgreSQL entries younger than `settle_seconds` wait for the next poll,
    so a transaction that took its id earlier but committed later is not skipped."""
    require_role(principal, "staff", "internal", "supervisor", "party", action_zh="订阅变更",
                 action_en="read the change feed")
    h = OrganisationHistory
    stmt = select(h).where(h.history_id > cursor)
    prefix = jurisdiction_prefix(principal)
    if prefix:  # AUTH-2: a district's feed carries its district's organisations only
        stmt = stmt.join(Organisation, Organisation.uscc == h.uscc).where(
            Organisation.division_code.startswith(prefix, autoescape=True))
    if session.bind.dialect.name == "postgresql" and settle_seconds:
        threshold = datetime.now(UTC) - timedelta(seconds=settle_seconds)
        young = await session.scalar(select(func.min(h.history_id)).where(h.history_id > cursor, h.at >= threshold))
        stmt = stmt.where(h.at < threshold)
        if young is not None:
            stmt = stmt.where(h.history_id < young)
    rows = list((await session.scalars(stmt.order_by(OrganisationHistory.history_id).limit(limit))).all())
    items = [FeedItem(id=h.history_id, uscc=h.uscc, action=h.action, at=h.at,
                      changes={"before": _public(h.before), "after": _public(h.after)}, reason=h.reason)
             for h in rows]
    return FeedPage(items=items, next_cursor=rows[-1].history_id if rows else cursor)
