from __future__ import annotations

from collections.abc import Awaitable, Callable

from sqlalchemy.ext.asyncio import AsyncSession

from yishe_contracts.envelope import Envelope
from yishe_contracts.events.registry import OrganisationRegistered
from yishe_kit.outbox import Outbox

from . import service


def on_organisation_registered(outbox: Outbox) -> Callable[[AsyncSession, OrganisationRegistered, Envelope],
                                                            Awaitable[None]]:
    async def handle(session: AsyncSession, event: OrganisationRegistered, envelope: Envelope) -> None:
        await service.open_profile(session, event, envelope, outbox=outbox)

    return handle
