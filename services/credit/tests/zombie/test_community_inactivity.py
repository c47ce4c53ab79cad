"""cultivation.inactive.listed.v1 (PLAT-5) feeds the zombie detection's "no activity" signal."""

from __future__ import annotations

from datetime import date

import pytest
from credit_factories import STAFF, open_org
from sqlalchemy import func, select

from yishe_contracts.envelope import Envelope
from yishe_contracts.events.cultivation import InactiveListed
from yishe_credit.zombie.models import CommunityInactivity
from yishe_kit.testing import eventually, publish_envelope

pytestmark = pytest.mark.nats


async def test_a_year_on_cultivations_inactive_list_is_zombie_evidence(custom, nats_server) -> None:
    """CR-16 / PLAT-5: an organisation cultivation listed as without any activity for the closed year(s) the
    inactivity rule spans has the "inactive" signal with that evidence; the event delivered twice is kept once."""
    async with custom(zombie={"inactive_months": 12, "min_signals": 1}) as (app, client):
        quiet = await open_org(app, registration_date=date(2025, 7, 1))
        busy = await open_org(app, registration_date=date(2025, 7, 1))
        event = InactiveListed(uscc=quiet, name="五马街道邻里互助会", division_code="330302", township_code="330302001",
                               year=2025, activities_in_year=0, listed_on=date(2026, 1, 5))
        envelope = Envelope.wrap(event, source="cultivation")
        await publish_envelope(nats_server.url, envelope)
        await publish_envelope(nats_server.url, envelope, msg_id=f"{envelope.id}-again")
        filed_only = InactiveListed(filing_no="BA33030200100012", name="银龄志愿队", division_code="330302",
                                    year=2025, activities_in_year=0, listed_on=date(2026, 1, 5))
        await publish_envelope(nats_server.url, Envelope.wrap(filed_only, source="cultivation"))

        async def kept():
            async with app.state.sessionmaker() as s:
                return await s.scalar(select(func.count()).select_from(CommunityInactivity))

        assert await eventually(kept) == 1
        found = (await client.get("/v1/zombies/candidates?as_of=2026-06-01", headers=STAFF)).json()
        assert [c["uscc"] for c in found] == [quiet] and busy not in [c["uscc"] for c in found]
        assert found[0]["signals"]["inactive"] is True
        assert "乡镇（街道）服务平台记录：2025年度全年无活动（PLAT-5）" in found[0]["evidence"]
