"""PROC-9 preference configured as bonus points (the default is tie-break only)."""

from __future__ import annotations

import pytest
from procurement_fixtures.factories import purchaser, score_all, two_bids

from yishe_procurement.config import Settings


@pytest.fixture
def settings(migrated, nats_server) -> Settings:
    return Settings(db={"url": migrated("procurement").fresh_url()}, nats={"url": nats_server.url},
                    preference={"bonus_points": "3"})


async def test_configured_bonus_lifts_the_preferred_bid_when_scores_are_close(app, client, clock) -> None:
    project, a, b = await two_bids(app, client, clock, preferred_amount="390000", plain_amount="350000")
    await score_all(client, clock, project["project_id"], {a["bid_id"]: ["88", "88", "88"],
                                                           b["bid_id"]: ["90", "90", "90"]})
    resp = await client.post(f"/v1/projects/{project['project_id']}/award", json={}, headers=purchaser())
    assert resp.json()["bid_id"] == a["bid_id"] and resp.json()["decided_by"] == "preference_bonus"
    assert resp.json()["ranking"][0]["total"] == "91.00"
