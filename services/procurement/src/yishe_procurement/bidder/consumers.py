from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from yishe_contracts.envelope import Envelope
from yishe_contracts.events.credit import CreditProfileOpened
from yishe_contracts.events.registry import OrganisationRegistered

from . import service


async def on_organisation_registered(session: AsyncSession, event: OrganisationRegistered, _: Envelope) -> None:
    await service.record_registration(session, event)


async def on_credit_profile_opened(session: AsyncSession, event: CreditProfileOpened, _: Envelope) -> None:
    await service.record_credit_profile(session, event)
