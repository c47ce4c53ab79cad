"""The registry part of the 一社一码 profile as a read model (yishe_kit.readmodel): the organisation as the gateway
sees it (`internal`: unmasked), kept per organisation, voided in the same transaction as any change to it (change and
status registrations, grades, corrections, imports)."""

from __future__ import annotations

from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession
from starlette.datastructures import State

from yishe_kit.principal import Principal
from yishe_kit.readmodel import Fragments

from .organisation import service
from .organisation.schemas import OrganisationRead
from .search.models import FTS_TABLE

GATEWAY = Principal(actor="gateway", role="internal")


async def internal_view(state: State, session: AsyncSession, uscc: str) -> OrganisationRead:
    """What `GET /v1/organisations/{uscc}` answers the gateway."""
    return service.disclose(await service.get(session, uscc), GATEWAY)


def today(_: State) -> date:
    return date.today()  # deps.get_today: the view does not depend on the day


FRAGMENTS = Fragments(
    path="/v1/organisations/", view=internal_view, today=today,
    # The view reads the `organisation` row only. Never read by it: sequences, names and their claims, the name index
    # (written with raw SQL), application steps, import batches, the entity trail, leaders and the history trail
    # (leaders are replaced with a bulk UPDATE, which would otherwise void every fragment).
    ignore=frozenset({"application_step", "entity_history", "filing_sequence", "import_batch", "name_claim",
                      "name_reservation", "uscc_sequence", FTS_TABLE, "organisation_leader", "organisation_history"}),
)
