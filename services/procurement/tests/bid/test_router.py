from __future__ import annotations

from datetime import UTC, date, datetime

from procurement_fixtures.factories import (
    BID_DAY,
    a_uscc,
    abnormal_listing,
    bid,
    catalogue,
    known_org,
    org,
    published_project,
    purchaser,
    rules,
)

from yishe_procurement.bidder import service as bidder_service


async def _bid(client, project_id: str, uscc: str, **body):
    return await client.post(f"/v1/projects/{project_id}/bids", headers=org(uscc),
                             json={"uscc": uscc, "amount": "380000", "proposal": "专业社工团队提供上门服务"} | body)


async def test_evidence_stays_as_on_the_bid_date_when_the_organisation_is_listed_later(app, client, clock) -> None:
    await catalogue(client)
    project = await published_project(client, clock)
    uscc = await known_org(app)
    made = await bid(client, clock, project["project_id"], uscc)
    assert made["evidence"]["eligible"] is True and made["evidence"]["as_of"] == BID_DAY.isoformat()
    async with app.state.sessionmaker() as session, session.begin():
        await bidder_service.record_listing(session, abnormal_listing(uscc), datetime.now(UTC))
    assert (await client.get(f"/v1/bidders/{uscc}")).json()["may_bid"] is False
    again = (await client.get(f"/v1/bids/{made['bid_id']}", headers=purchaser())).json()
    assert again["evidence"] == made["evidence"]
    assert all(c["met"] for c in again["evidence"]["conditions"])


async def test_unknown_organisation_is_refused_with_every_failed_condition_when_bidding(client, clock) -> None:
    await catalogue(client)
    project = await published_project(client, clock)
    uscc = a_uscc()
    clock.fixed = BID_DAY
    resp = await _bid(client, project["project_id"], uscc)
    assert resp.status_code == 400 and resp.json()["code"] == "bidder_ineligible"
    assert [e["field"] for e in resp.json()["errors"]] == ["uscc"] * 3


async def test_bid_over_the_budget_or_with_subcontractors_is_refused_when_submitted(app, client, clock) -> None:
    await catalogue(client)
    project = await published_project(client, clock)
    uscc = await known_org(app)
    clock.fixed = BID_DAY
    resp = await _bid(client, project["project_id"], uscc, amount="400000.01", subcontractors=["某公司"])
    assert resp.status_code == 400 and sorted(rules(resp)) == ["PROC-6", "PROC-8"]
    assert (await client.get(f"/v1/projects/{project['project_id']}/bids", headers=purchaser())).json() == []


async def test_second_bid_is_a_conflict_when_the_organisation_already_bid(app, client, clock) -> None:
    await catalogue(client)
    project = await published_project(client, clock)
    uscc = await known_org(app)
    await bid(client, clock, project["project_id"], uscc)
    assert (await _bid(client, project["project_id"], uscc)).status_code == 409


async def test_bid_is_refused_when_the_tender_has_closed(app, client, clock) -> None:
    await catalogue(client)
    project = await published_project(client, clock)
    uscc = await known_org(app)
    clock.fixed = date(2026, 12, 11)
    resp = await _bid(client, project["project_id"], uscc)
    assert resp.status_code == 409 and resp.json()["code"] == "tender_closed"


async def test_organisation_may_bid_only_for_itself_when_submitting(app, client, clock) -> None:
    await catalogue(client)
    project = await published_project(client, clock)
    uscc = await known_org(app)
    clock.fixed = BID_DAY
    resp = await client.post(f"/v1/projects/{project['project_id']}/bids", headers=org(a_uscc()),
                             json={"uscc": uscc, "amount": "380000", "proposal": "专业社工团队提供上门服务"})
    assert resp.status_code == 403


async def test_withdrawn_bid_leaves_the_ranking_when_withdrawn_in_time(app, client, clock) -> None:
    await catalogue(client)
    project = await published_project(client, clock)
    uscc = await known_org(app)
    made = await bid(client, clock, project["project_id"], uscc)
    resp = await client.post(f"/v1/bids/{made['bid_id']}/withdraw", headers=org(uscc))
    assert resp.status_code == 200 and resp.json()["status"] == "withdrawn"
    ranking = (await client.get(f"/v1/projects/{project['project_id']}/evaluation", headers=purchaser())).json()
    assert ranking["ranking"] == []


async def test_bid_is_hidden_from_other_organisations_when_read(app, client, clock) -> None:
    await catalogue(client)
    project = await published_project(client, clock)
    uscc = await known_org(app)
    made = await bid(client, clock, project["project_id"], uscc)
    assert (await client.get(f"/v1/bids/{made['bid_id']}", headers=org(a_uscc()))).status_code == 403
    assert (await client.get(f"/v1/bids/{made['bid_id']}", headers=org(uscc))).status_code == 200
