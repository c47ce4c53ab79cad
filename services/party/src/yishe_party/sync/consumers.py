"""Registry events that tick 三同步 / 六同步 steps."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from yishe_contracts.envelope import Envelope
from yishe_contracts.events.registry import AnnualReportSubmitted, CharterApproved

from . import service


async def on_annual_report_submitted(session: AsyncSession, event: AnnualReportSubmitted, _: Envelope) -> None:
    await service.on_annual_report(session, event)


async def on_charter_approved(session: AsyncSession, event: CharterApproved, _: Envelope) -> None:
    await service.on_charter_approved(session, event)
