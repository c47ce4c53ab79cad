"""Cultivation's part of the 一社一码 profile as a read model (yishe_kit.readmodel): `GET /v1/facts/{uscc}` as the
gateway sees it (`internal`), kept per organisation, voided in the same transaction as any change to it.

Platform and assessment changes void every fragment (the service bumps the epoch: rare writes, and a platform is
named in every fragment of its township); a change to a base voids nothing until the day's rebuild [P]."""

from __future__ import annotations

from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession
from starlette.datastructures import State

from yishe_kit.context import state_today
from yishe_kit.principal import Principal
from yishe_kit.readmodel import Fragments

from .profile import service
from .profile.schemas import CultivationProfile

GATEWAY = Principal(actor="gateway", role="internal")


async def internal_view(state: State, session: AsyncSession, uscc: str) -> CultivationProfile:
    return await service.view(session, GATEWAY, uscc, today=state_today(state), settings=state.settings)


def today(state: State) -> date:
    return state_today(state)


FRAGMENTS = Fragments(
    path="/v1/facts/", view=internal_view, today=today,
    ignore=frozenset({"cult_filing", "job", "cult_target_set", "cult_inactive_listing", "cult_contract"}),
    related={"cult_platform": lambda _row: (), "cult_assessment": lambda _row: (),
             "cult_incubation_base": lambda _row: ()},
)
