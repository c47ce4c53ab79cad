from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from .models import AuditEngagement, AuditFinding, PendingChange


async def engagements(session: AsyncSession, uscc: str) -> list[AuditEngagement]:
    stmt = select(AuditEngagement).where(AuditEngagement.uscc == uscc).order_by(AuditEngagement.engagement_id)
    return list((await session.scalars(stmt)).all())


async def findings(session: AsyncSession, engagement_ids: list[int]) -> list[AuditFinding]:
    if not engagement_ids:
        return []
    stmt = (select(AuditFinding).where(AuditFinding.engagement_id.in_(engagement_ids))
            .order_by(AuditFinding.finding_id))
    return list((await session.scalars(stmt)).all())


async def unused(session: AsyncSession, uscc: str, occasion: str) -> AuditEngagement | None:
    """The oldest filed report or exemption for this occasion that has not completed a step yet."""
    stmt = (select(AuditEngagement)
            .where(AuditEngagement.uscc == uscc, AuditEngagement.occasion == occasion,
                   AuditEngagement.status.in_(("reported", "exempted")), AuditEngagement.used_for.is_(None))
            .order_by(AuditEngagement.engagement_id).limit(1))
    return await session.scalar(stmt)


async def waiting(session: AsyncSession, uscc: str, occasion: str) -> list[PendingChange]:
    stmt = (select(PendingChange).where(PendingChange.uscc == uscc, PendingChange.occasion == occasion,
                                        PendingChange.status == "waiting").order_by(PendingChange.pending_id))
    return list((await session.scalars(stmt)).all())


async def fee_rows(session: AsyncSession, year: int | None, prefix: str | None) -> list[tuple]:
    """TPA-6: commissioned engagements (exemptions cost nothing) summed per budget year and division."""
    stmt = (select(AuditEngagement.budget_year, AuditEngagement.division_code, func.count(),
                   func.coalesce(func.sum(AuditEngagement.fee), 0))
            .where(AuditEngagement.status != "exempted")
            .group_by(AuditEngagement.budget_year, AuditEngagement.division_code)
            .order_by(AuditEngagement.budget_year, AuditEngagement.division_code))
    if year is not None:
        stmt = stmt.where(AuditEngagement.budget_year == year)
    if prefix:
        stmt = stmt.where(AuditEngagement.division_code.startswith(prefix))
    return list((await session.execute(stmt)).all())
