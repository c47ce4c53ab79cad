"""Refused bids are stored with their frozen eligibility evidence (issue 13, PROC-4/6/8): the bidder's own account
and staff read why; other organisations and purchasers cannot."""

from __future__ import annotations

from datetime import UTC, datetime

from procurement_fixtures.factories import (
    BID_DAY,
    a_uscc,
    abnormal_listing,
    catalogue,
    known_org,
    org,
    published_project,
    purchaser,
    staff,
)

from yishe_contracts.envelope import Envelope
from yishe_procurement.bidder import service as bidder_service


async def _envelopes(app, subject: str, uscc: str) -> list[Envelope]:
    table = app.state.outbox.table
    async with app.state.sessionmaker() as s:
        payloads = (await s.scalars(table.select().with_only_columns(table.c.payload)
                                    .where(table.c.subject == subject))).all()
    return [e for e in map(Envelope.model_validate_json, payloads) if e.subject == uscc]


async def _bid(client, project_id: str, uscc: str, **body):
    return await client.post(f"/v1/projects/{project_id}/bids", headers=org(uscc),
                             json={"uscc": uscc, "amount": "380000", "proposal": "专业社工团队提供上门服务"} | body)


def _refusal_id(resp) -> str:
    body = resp.json()
    assert body["detail_zh"].startswith("投标未被接受，拒绝记录")
    return body["detail_en"].split("stored as refusal ")[1].split(" ")[0]


async def test_ineligible_bid_is_stored_with_its_conditions_when_refused(app, client, clock) -> None:
    """PROC-4: the refusal keeps every condition as evaluated on the bid date; the bidder and staff read it."""
    await catalogue(client)
    project = await published_project(client, clock)
    uscc = await known_org(app)
    async with app.state.sessionmaker() as session, session.begin():
        await bidder_service.record_listing(session, abnormal_listing(uscc), datetime.now(UTC))
    clock.fixed = BID_DAY
    resp = await _bid(client, project["project_id"], uscc)
    assert resp.status_code == 400 and resp.json()["code"] == "bidder_ineligible"
    refusal_id = _refusal_id(resp)

    mine = await client.get(f"/v1/refused-bids/{refusal_id}", headers=org(uscc))
    assert mine.status_code == 200, mine.text
    body = mine.json()
    assert (body["uscc"], body["project_id"], body["code"], body["bid_date"]) == (
        uscc, project["project_id"], "bidder_ineligible", BID_DAY.isoformat())
    assert body["evidence"]["eligible"] is False and body["evidence"]["as_of"] == BID_DAY.isoformat()
    failed = [c for c in body["evidence"]["conditions"] if not c["met"]]
    assert failed and [p["rule"] for p in body["problems"]] == [c["rule"] for c in failed]
    assert (await client.get(f"/v1/refused-bids/{refusal_id}", headers=staff())).json() == body
    assert [r["refusal_id"] for r in (await client.get("/v1/refused-bids", headers=org(uscc))).json()] == [refusal_id]
    listed = await client.get(f"/v1/refused-bids?project_id={project['project_id']}", headers=staff())
    assert [r["refusal_id"] for r in listed.json()] == [refusal_id]
    assert (await client.get(f"/v1/projects/{project['project_id']}/bids", headers=purchaser())).json() == []
    # CODE-5 (issue 13): the refusal is an event too, in effect on the bid date, with the failed conditions
    [event] = await _envelopes(app, "procurement.bid.refused.v1", uscc)
    assert event.effectivedate == BID_DAY and event.data["refusal_id"] == refusal_id
    assert [(r["rule"], r["code"]) for r in event.data["reasons"]] == [(c["rule"], c["code"]) for c in failed]
    assert await _envelopes(app, "procurement.bid.submitted.v1", uscc) == []


async def test_refusal_hidden_from_other_organisations_and_purchasers_when_read(client, clock) -> None:
    """The bidder and staff only: another organisation (AUTH-1 not_own_organisation), a purchaser (role_forbidden),
    staff of another division (AUTH-2 outside_jurisdiction)."""
    await catalogue(client)
    project = await published_project(client, clock)
    uscc = a_uscc()
    clock.fixed = BID_DAY
    resp = await _bid(client, project["project_id"], uscc)
    refusal_id = _refusal_id(resp)
    other = await client.get(f"/v1/refused-bids/{refusal_id}", headers=org(a_uscc()))
    assert other.status_code == 403 and other.json()["code"] == "not_own_organisation"
    buyer = await client.get(f"/v1/refused-bids/{refusal_id}", headers=purchaser())
    assert buyer.status_code == 403 and buyer.json()["code"] == "role_forbidden"
    elsewhere = await client.get(f"/v1/refused-bids/{refusal_id}", headers=staff("330303"))
    assert elsewhere.status_code == 403 and elsewhere.json()["code"] == "outside_jurisdiction"
    assert (await client.get("/v1/refused-bids", headers=staff("330303"))).json() == []
    assert (await client.get("/v1/refused-bids", headers=purchaser())).status_code == 403
    assert (await client.get(f"/v1/refused-bids/{refusal_id}", headers=staff("330302"))).status_code == 200


async def test_over_budget_bid_refusal_stored_with_rules_when_refused(app, client, clock) -> None:
    """PROC-6 / PROC-8 refusals are stored too, with the eligibility as it stood (eligible here)."""
    await catalogue(client)
    project = await published_project(client, clock)
    uscc = await known_org(app)
    clock.fixed = BID_DAY
    resp = await _bid(client, project["project_id"], uscc, amount="400000.01", subcontractors=["某公司"])
    assert resp.status_code == 400 and resp.json()["code"] == "bid_refused"
    body = (await client.get(f"/v1/refused-bids/{_refusal_id(resp)}", headers=org(uscc))).json()
    assert sorted(p["rule"] for p in body["problems"]) == ["PROC-6", "PROC-8"]
    assert body["evidence"]["eligible"] is True and body["amount"] == "400000.01"
    [event] = await _envelopes(app, "procurement.bid.refused.v1", uscc)
    assert sorted(r["rule"] for r in event.data["reasons"]) == ["PROC-6", "PROC-8"]
    assert event.data["code"] == "bid_refused"
