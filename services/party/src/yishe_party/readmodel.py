"""The Party-building part of the 一社一码 profile as a read model (yishe_kit.readmodel): the record as the gateway
sees it (`internal`), kept per organisation, voided in the same transaction as any change to it."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession
from starlette.datastructures import State

from yishe_kit.context import state_today
from yishe_kit.principal import Principal
from yishe_kit.readmodel import Fragments

from .organisation import service
from .record.schemas import PartyRecordRead

GATEWAY = Principal(actor="gateway", role="internal")


async def internal_view(state: State, session: AsyncSession, uscc: str) -> PartyRecordRead:
    """What `GET /v1/records/{uscc}` answers the gateway."""
    return await service.view(session, uscc, GATEWAY, state.settings)


FRAGMENTS = Fragments(
    path="/v1/records/", view=internal_view, today=state_today,
    # The internal view reads `party_record` only (members are for the Party-building role): these tables without a
    # USCC column never feed it. Tables with a USCC column void their organisations' fragments (harmless extra work).
    ignore=frozenset({"party_committee_member", "party_election", "party_secretary_assessment", "party_talent",
                      "party_filing"}),
)
