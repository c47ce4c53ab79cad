"""Issue 6 "done means": 0 / 2 / 4 full members at registration → instructor / joint-branch suggestion / own
organisation, re-evaluated when members are added, reflected in coverage and money, and flagged when never covered."""

from __future__ import annotations

import pytest
from party_factories import PARTY, STAFF, add_talent, establish, id_number, outbox_events, registered

from yishe_contracts.envelope import Envelope
from yishe_kit.testing import eventually, publish_envelope
from yishe_party.record.models import PartyRecord

pytestmark = pytest.mark.nats


async def _record(app, uscc: str) -> PartyRecord | None:
    async with app.state.sessionmaker() as s:
        return await s.get(PartyRecord, uscc)


async def _register_through_nats(app, nats_url: str, *events) -> None:
    for event in events:
        await publish_envelope(nats_url, Envelope.wrap(event, source="registry"))
    for event in events:
        await eventually(lambda e=event: _record(app, e.uscc))


async def test_routes_coverage_money_and_flag_follow_member_counts_when_registered_with_0_2_4(
        client, app, nats_server) -> None:
    talent = await add_talent(client)
    zero, two, four, partner = registered(0), registered(2), registered(4), registered(1)
    await _register_through_nats(app, nats_server.url, zero, two, four, partner)

    # 0 full members → an instructor from the talent pool at once (PARTY-3, 三同步)
    covers = (await client.get(f"/v1/records/{zero.uscc}/work-covers", headers=PARTY)).json()
    assert [(c["kind"], c["talent_id"]) for c in covers] == [("instructor", talent["talent_id"])]
    assert (await client.get(f"/v1/records/{zero.uscc}")).json()["formation_task"]["status"] == "done"

    # 2 full members → a joint branch with a nearby organisation that brings the total to 3 (PARTY-2)
    suggestion = (await client.get(f"/v1/records/{two.uscc}/joint-branch-suggestions", headers=PARTY)).json()
    assert suggestion["applicable"] is True
    assert suggestion["proposed_units"] == [two.uscc, partner.uscc]
    assert suggestion["proposed_full_members"] == 3

    # 4 full members → an own Party organisation is required (PARTY-1)
    task = (await client.get(f"/v1/records/{four.uscc}")).json()["formation_task"]
    assert (task["kind"], task["rule"], task["status"], task["due"]) == (
        "establish_own_organisation", "PARTY-1", "open", "2026-12-22")

    # one more full member for the 2-member organisation → own organisation required, as an event
    added = await client.post(f"/v1/records/{two.uscc}/members", headers=PARTY, json={
        "name": "王五", "status": "正式党员", "id_number": id_number(), "effective_on": "2026-11-25"})
    assert added.status_code == 201, added.text
    [changed] = await outbox_events(app, "party.route.changed.v1", two.uscc)
    assert (changed["from_route"], changed["to_route"], changed["full_members"]) == (
        "joint_branch", "own_organisation", 3)

    await establish(client, [four.uscc], demonstration=True, demonstration_year=2026)
    coverage = (await client.get("/v1/coverage?division=330302&as_of=2026-12-15", headers=STAFF)).json()
    total = coverage["total"]
    assert (total["organisations"], total["organisation_covered"], total["work_covered"]) == (4, 1, 2)
    assert (total["own_required"], total["own_established"]) == (2, 1)
    assert total["organisation_coverage_rate"] == "25.00" and total["work_coverage_rate"] == "50.00"

    budget = (await client.get("/v1/funding/budget?year=2026&division=330302", headers=STAFF)).json()
    [line] = budget["organisations"]
    assert (line["members"], line["member_funds"], line["demonstration_one_off"], line["total"]) == (
        4, "1200.00", "3000.00", "4200.00")

    # never covered: flagged once the deadline has passed (own route → CR-6.2 for credit), once only
    run = (await client.post("/v1/jobs/daily?wait=true&as_of=2027-03-01", headers=STAFF)).json()
    flagged = {c["uscc"]: (c["covered"], c["required"], c["rule"]) for c in run["coverage_changes"]}
    assert flagged == {two.uscc: (False, True, "CR-6.2"), partner.uscc: (False, False, "PARTY-5")}
    again = (await client.post("/v1/jobs/daily?wait=true&as_of=2027-03-01", headers=STAFF)).json()
    assert again["coverage_changes"] == []
    [event] = await outbox_events(app, "party.coverage.changed.v1", two.uscc)
    assert (event["covered"], event["required"], event["route"], event["as_of"]) == (
        False, True, "own_organisation", "2027-03-01")
