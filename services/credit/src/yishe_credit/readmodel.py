"""The credit part of the 一社一码 profile as a read model (yishe_kit.readmodel): the full credit view the gateway
asks for (`internal`: colour with its rule and history, list entries with their dates, early warnings, what it takes
to leave a list), kept per organisation and rebuilt each day, voided in the same transaction as any change to an
input of it (profile, lists and triggers, records, annual reports, letters, objections, complaints by target,
publication windows, warnings, colour history)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession
from starlette.datastructures import State

from yishe_kit.context import state_clock, state_today
from yishe_kit.principal import Principal
from yishe_kit.readmodel import Fragments

from .context import Ctx
from .profile import views
from .profile.schemas import CreditProfileRead

GATEWAY = Principal(actor="gateway", role="internal")


async def internal_view(state: State, session: AsyncSession, uscc: str) -> CreditProfileRead:
    """What `GET /v1/profiles/{uscc}` answers the gateway."""
    return await views.profile_view(Ctx(session=session, outbox=state.outbox, settings=state.settings,
                                        clock=state_clock(state), principal=GATEWAY), uscc)


FRAGMENTS = Fragments(
    path="/v1/profiles/", view=internal_view, today=state_today,
    # Tables without a USCC column the view never reads (inspection staff and plans, the daily job's runs).
    ignore=frozenset({"daily_run", "inspection_plan", "inspector", "community_inactivity"}),
)
