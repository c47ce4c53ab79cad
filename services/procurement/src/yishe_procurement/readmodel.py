"""The procurement part of the 一社一码 profile as a read model (yishe_kit.readmodel): the bidder view the gateway
asks for (`internal`; PROC-4 eligibility today, PROC-9 preference), kept per organisation and rebuilt each day,
voided in the same transaction as any change to the bidder read model."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession
from starlette.datastructures import State

from yishe_kit.context import state_today
from yishe_kit.readmodel import Fragments

from .bidder import service
from .bidder.schemas import BidderRead


async def internal_view(state: State, session: AsyncSession, uscc: str) -> BidderRead:
    """What `GET /v1/bidders/{uscc}` answers (the route does not depend on the caller)."""
    return await service.get(session, uscc, state_today(state), state.settings)


FRAGMENTS = Fragments(
    path="/v1/bidders/", view=internal_view, today=state_today,
    # The view reads bidder, bidder_annual_report and bidder_violation only: these tables without a USCC column never
    # feed it. Tables with a USCC column void their organisations' fragments (harmless extra work).
    ignore=frozenset({
        "catalogue", "catalogue_item", "contract_milestone", "design_need", "design_project", "follow_up",
        "need_item", "need_list", "ocds_release", "ocid_sequence", "panel_member", "panel_score", "project_amendment",
        "purchase_record", "venture_round", "venture_spending",
    }),
)
