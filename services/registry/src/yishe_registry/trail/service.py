"""Writing and reading the append-only trail (rows are only ever inserted)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from yishe_kit.principal import Principal

from .models import EntityHistory


async def record(session: AsyncSession, entity_type: str, entity_id: object, action: str, principal: Principal, *,
                 before: dict[str, Any] | None = None, after: dict[str, Any] | None = None,
                 reason: str | None = None) -> EntityHistory:
    """HIST-1 [P]: every change of a record appends who, when, what (before/after) and why."""
    row = EntityHistory(entity_type=entity_type, entity_id=str(entity_id), action=action, actor=principal.actor,
                        actor_role=principal.role, at=datetime.now(UTC), before=before, after=after, reason=reason)
    session.add(row)
    return row


async def trail(session: AsyncSession, entity_type: str, entity_id: object) -> list[EntityHistory]:
    stmt = (select(EntityHistory).where(EntityHistory.entity_type == entity_type,
                                        EntityHistory.entity_id == str(entity_id))
            .order_by(EntityHistory.history_id))
    return list((await session.scalars(stmt)).all())
