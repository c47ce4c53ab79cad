from __future__ import annotations

from procurement_fixtures.factories import (
    AWARD_DAY,
    bid,
    catalogue,
    known_org,
    published_project,
    purchaser,
    score_all,
    two_bids,
)


async def test_equal_scores_go_to_the_3a_organisation_when_awarding(app, client, clock) -> None:
    project, a, b = await two_bids(app, client, clock, preferred_amount="390000", plain_amount="350000")
    await score_all(client, clock, project["project_id"], {a["bid_id"]: ["90", "90", "90"],
                                                           b["bid_id"]: ["90", "90", "90"]})
    award = (await client.post(f"/v1/projects/{project['project_id']}/award", json={}, headers=purchaser())).json()
    assert award["bid_id"] == a["bid_id"] and award["decided_by"] == "preference_tie_break"


async def test_higher_score_wins_over_preference_when_no_bonus_is_configured(app, client, clock) -> None:
    project, a, b = await two_bids(app, client, clock, preferred_amount="390000", plain_amount="350000")
    await score_all(client, clock, project["project_id"], {a["bid_id"]: ["88", "88", "88"],
                                                           b["bid_id"]: ["90", "90", "90"]})
    award = (await client.post(f"/v1/projects/{project['project_id']}/award", json={}, headers=purchaser())).json()
    assert award["bid_id"] == b["bid_id"] and award["decided_by"] == "score"


async def test_award_is_refused_with_the_missing_scores_when_the_panel_is_incomplete(app, client, clock) -> None:
    await catalogue(client)
    project = await published_project(client, clock)
    made = await bid(client, clock, project["project_id"], await known_org(app))
    clock.fixed = AWARD_DAY
    await client.put(f"/v1/projects/{project['project_id']}/panel", headers=purchaser(),
                     json={"members": [{"name": "王评审"}, {"name": "李评审"}, {"name": "赵评审"}]})
    await client.post(f"/v1/projects/{project['project_id']}/scores", headers=purchaser(),
                      json={"member_name": "王评审", "scores": [{"bid_id": made["bid_id"], "score": "90"}]})
    resp = await client.post(f"/v1/projects/{project['project_id']}/award", json={}, headers=purchaser())
    assert resp.status_code == 400 and "李评审" in resp.json()["errors"][0]["message_zh"]


async def test_scoring_is_refused_when_the_tender_is_still_open(app, client, clock) -> None:
    await catalogue(client)
    project = await published_project(client, clock)
    made = await bid(client, clock, project["project_id"], await known_org(app))
    await client.put(f"/v1/projects/{project['project_id']}/panel", headers=purchaser(),
                     json={"members": [{"name": "王评审"}]})
    resp = await client.post(f"/v1/projects/{project['project_id']}/scores", headers=purchaser(),
                             json={"member_name": "王评审", "scores": [{"bid_id": made["bid_id"], "score": "90"}]})
    assert resp.status_code == 409 and resp.json()["code"] == "tender_not_closed"


async def test_scores_are_not_public_before_the_award_when_read(app, client, clock) -> None:
    await catalogue(client)
    project = await published_project(client, clock)
    assert (await client.get(f"/v1/projects/{project['project_id']}/evaluation")).status_code == 403
    assert (await client.get(f"/v1/projects/{project['project_id']}/evaluation",
                             headers=purchaser())).status_code == 200


async def _list(app, uscc: str) -> None:
    from datetime import UTC, datetime

    from procurement_fixtures.factories import abnormal_listing

    from yishe_procurement.bidder import service as bidder_service

    async with app.state.sessionmaker() as session, session.begin():
        await bidder_service.record_listing(session, abnormal_listing(uscc), datetime.now(UTC))


async def test_a_winner_listed_since_it_bid_is_passed_over_at_the_award(app, client, clock) -> None:
    """PROC-4 (with CR-6): the undertaker conditions hold on the award date, not only when the bid came in."""
    project, a, b = await two_bids(app, client, clock, preferred_amount="390000", plain_amount="350000")
    await score_all(client, clock, project["project_id"], {a["bid_id"]: ["95", "95", "95"],
                                                           b["bid_id"]: ["80", "80", "80"]})
    await _list(app, a["uscc"])  # 活动异常名录 after bidding: PROC-4 no longer met
    award = (await client.post(f"/v1/projects/{project['project_id']}/award", json={}, headers=purchaser())).json()
    assert award["bid_id"] == b["bid_id"] and award["decided_by"] == "earlier_ranked_ineligible"
    first, second = award["ranking"]
    assert first["bid_id"] == a["bid_id"] and first["ineligible_on_award"]
    assert all(p["rule"].startswith("PROC-4") for p in first["ineligible_on_award"])
    assert "ineligible_on_award" not in second


async def test_no_award_when_every_bidder_has_become_ineligible(app, client, clock) -> None:
    """PROC-4: no bidder meets the conditions on the award date → 400 naming the rule, nothing written."""
    project, a, b = await two_bids(app, client, clock, preferred_amount="390000", plain_amount="350000")
    await score_all(client, clock, project["project_id"], {a["bid_id"]: ["95", "95", "95"],
                                                           b["bid_id"]: ["80", "80", "80"]})
    await _list(app, a["uscc"])
    await _list(app, b["uscc"])
    resp = await client.post(f"/v1/projects/{project['project_id']}/award", json={}, headers=purchaser())
    assert resp.status_code == 400 and resp.json()["errors"][0]["rule"] == "PROC-4"
    assert (await client.get(f"/v1/projects/{project['project_id']}/award", headers=purchaser())).status_code == 404


async def test_bids_and_the_award_are_events_in_effect_on_their_own_days(app, client, clock) -> None:
    """CODE-5 (issue 13): each accepted bid is an event in effect on its bid date, the award one in effect on the
    award date (the gateway's `?as_of=` profile shows each step from its day)."""
    from yishe_contracts.envelope import Envelope

    project, a, b = await two_bids(app, client, clock, preferred_amount="390000", plain_amount="350000")
    await score_all(client, clock, project["project_id"], {a["bid_id"]: ["88", "88", "88"],
                                                           b["bid_id"]: ["90", "90", "90"]})
    award = (await client.post(f"/v1/projects/{project['project_id']}/award", json={}, headers=purchaser())).json()
    table = app.state.outbox.table
    async with app.state.sessionmaker() as s:
        rows = (await s.execute(table.select().with_only_columns(table.c.subject, table.c.payload)
                                .where(table.c.subject.in_(["procurement.bid.submitted.v1",
                                                            "procurement.project.awarded.v1"])))).all()
    events = [(subject, Envelope.model_validate_json(payload)) for subject, payload in rows]
    bids = {e.data["bid_id"]: e for s, e in events if s == "procurement.bid.submitted.v1"}
    assert set(bids) == {a["bid_id"], b["bid_id"]}
    assert all(e.effectivedate.isoformat() == e.data["bid_date"] == a["bid_date"] for e in bids.values())
    [awarded] = [e for s, e in events if s == "procurement.project.awarded.v1"]
    assert (awarded.subject, awarded.data["bid_id"], awarded.data["decided_by"]) == (b["uscc"], b["bid_id"], "score")
    assert awarded.effectivedate == AWARD_DAY and awarded.data["award_date"] == award["award_date"]
