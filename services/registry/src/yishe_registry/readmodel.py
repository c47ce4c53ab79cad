"""The registry part of the 一社一码 profile as a read model (yishe_kit.readmodel): the organisation as the gateway
sees it (`internal`: unmasked), kept per organisation, voided in the same transaction as any change to it (change and
status registrations, grades, corrections, imports)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession
from starlette.datastructures import State

from yishe_kit.context import state_today
from yishe_kit.principal import Principal
from yishe_kit.readmodel import Fragments

from .disclosure import service as disclosure_service
from .organisation import service
from .organisation.schemas import OrganisationRead
from .search.models import FTS_TABLE

GATEWAY = Principal(actor="gateway", role="internal")


async def internal_view(state: State, session: AsyncSession, uscc: str) -> OrganisationRead:
    """What `GET /v1/organisations/{uscc}` answers the gateway."""
    return await disclosure_service.attach(session, service.disclose(await service.get(session, uscc), GATEWAY))


FRAGMENTS = Fragments(
    path="/v1/organisations/", view=internal_view, today=state_today,
    # The view reads the `organisation` row and its `financial_disclosure` rows only. Never read by it: sequences,
    # names and their claims, the name index
    # (written with raw SQL), application steps, import batches, the entity trail, leaders and the history trail
    # (leaders are replaced with a bulk UPDATE, which would otherwise void every fragment).
    ignore=frozenset({"application_step", "entity_history", "filing_sequence", "import_batch", "name_claim",
                      "name_reservation", "uscc_sequence", FTS_TABLE, "organisation_leader", "organisation_history",
                      # issue 18: audits, funding, duties, workforce and subsidies are not in the profile view
                      "audit_engagement", "audit_finding", "pending_change", "funding_receipt", "disclosure_duty",
                      "workforce_figure", "subsidy_application", "subsidy_month",
                      # issue 12: the per-person claim that serialises REG-2/REG-4 checks (no profile data)
                      "legal_rep_lock"}),
)
