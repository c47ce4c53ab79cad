from __future__ import annotations

from collections.abc import Awaitable, Callable

from sqlalchemy.ext.asyncio import AsyncSession

from yishe_contracts.envelope import Envelope
from yishe_contracts.events.registry import OrganisationRegistered
from yishe_kit.outbox import Outbox

from . import service


def on_organisation_registered(
    outbox: Outbox, capture_task_days: int
) -> Callable[[AsyncSession, OrganisationRegistered, Envelope], Awaitable[None]]:
    async def handle(session: AsyncSession, event: OrganisationRegistered, envelope: Envelope) -> None:
        await service.open_record(session, event, envelope, outbox=outbox, capture_task_days=capture_task_days)

    return handle
