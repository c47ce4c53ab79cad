"""Registry events that tick 三同步 / 六同步 steps."""

from __future__ import annotations

from yishe_contracts.events.registry import AnnualReportSubmitted, CharterApproved
from yishe_kit.context import HandlerContext

from . import service


async def on_annual_report_submitted(ctx: HandlerContext, event: AnnualReportSubmitted) -> None:
    await service.on_annual_report(ctx.session, event)


async def on_charter_approved(ctx: HandlerContext, event: CharterApproved) -> None:
    await service.on_charter_approved(ctx.session, event)
