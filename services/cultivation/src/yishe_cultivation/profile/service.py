"""Cultivation's fragment of the 一社一码 profile (also the read model's view, yishe_kit.readmodel)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from yishe_kit.access import require_jurisdiction, require_org_or_roles
from yishe_kit.errors import require_social_org_uscc
from yishe_kit.principal import Principal

from ..activity import service as activity_service
from ..config import Settings
from ..deps import READERS
from ..incubation.models import IncubationBase, Residency
from ..organisation import service as organisation_service
from ..platform import repository as platform_repository
from ..platform import service as platform_service
from ..reward.models import Reward
from .schemas import ActivityRef, CultivationProfile, IncubationRef, PlatformRef


async def view(session: AsyncSession, principal: Principal, uscc: str, *, today: date,
               settings: Settings) -> CultivationProfile:
    require_social_org_uscc(uscc)
    require_org_or_roles(principal, uscc, *READERS, action_zh="查看培育发展信息", action_en="read cultivation facts")
    org = await organisation_service.require(session, uscc)
    require_jurisdiction(principal, org.township_code or org.division_code, "uscc")  # AUTH-2 (an org: its own)
    platform = None
    operated = await session.scalar(select(platform_repository.Platform).where(
        platform_repository.Platform.operator_uscc == uscc).limit(1))
    found = await platform_service.for_township(session, operated.township_code if operated else org.township_code)
    if found is not None:
        p, latest = found
        platform = PlatformRef(platform_id=p.platform_id, name=p.name, township_code=p.township_code,
                               band=latest.band if latest else None, assessed_year=latest.year if latest else None,
                               operator=p.operator_uscc == uscc)
    activity = None
    if org.community or org.township_code:
        idx = await activity_service.org_index(session, uscc, org.division_code, today.year, today, settings)
        if idx is not None:
            activity = ActivityRef(year=idx.year, activities=idx.activities, index=idx.index,
                                   active_strict=idx.active_strict, active_lenient=idx.active_lenient,
                                   last_activity_on=idx.last_activity_on)
    stays = []
    for r, b in (await session.execute(select(Residency, IncubationBase).join(
            IncubationBase, IncubationBase.base_id == Residency.base_id).where(Residency.uscc == uscc)
            .order_by(Residency.entered_on))).all():
        stays.append(IncubationRef(base_id=b.base_id, base_name=b.name, level=b.level, entered_on=r.entered_on,
                                   exited_on=r.exited_on, exit_kind=r.exit_kind))
    rewards = [{"grade": r.grade, "amount": str(r.amount), "status": r.status, "awarded_on": r.awarded_on.isoformat()}
               for r in await session.scalars(select(Reward).where(Reward.uscc == uscc).order_by(Reward.grade))]
    return CultivationProfile(uscc=uscc, community=org.community, township_code=org.township_code, platform=platform,
                              activity=activity, incubation=stays, rewards=rewards)
