"""PARTY-13: community organisations report (报到) to the community Party organisation; party counts it."""

from __future__ import annotations

from datetime import date

import pytest
from party_factories import PARTY, STAFF, open_record, registered

from yishe_contracts.envelope import Envelope
from yishe_contracts.events.registry import FilingChanged, FilingStatus
from yishe_kit.testing import eventually, publish_envelope

pytestmark = pytest.mark.nats


def _filing(no: str, uscc: str | None = None, status: FilingStatus = FilingStatus.FILED) -> FilingChanged:
    return FilingChanged(filing_no=no, name="五马街道银龄志愿队", community_class="公益慈善类", division_code="330302",
                         township_code="330302001", status=status, uscc=uscc, changed_on=date(2026, 3, 1))


async def test_filed_and_registered_community_organisations_report_and_count(client, app, nats_server) -> None:
    """PARTY-13: a filed organisation reports by filing number, a registered community organisation by USCC; the
    registered one is then work-covered and both count in the community reporting rate."""
    event = registered(0)
    await open_record(app, event)
    await publish_envelope(nats_server.url, Envelope.wrap(_filing("BA330302001000A1"), source="registry"))
    await publish_envelope(nats_server.url, Envelope.wrap(_filing("BA330302001000A2", event.uscc,
                                                                  FilingStatus.REGISTERED), source="registry"))

    async def community() -> bool:
        r = (await client.get(f"/v1/records/{event.uscc}", headers=PARTY)).json()
        return r.get("affiliation_type") == "community" or r.get("community") is True

    await eventually(community)
    before = (await client.get("/v1/coverage?as_of=2026-11-30", headers=STAFF)).json()
    assert before["community"] == {"organisations": 2, "reported": 0, "rate": "0.00"}
    assert before["total"]["work_covered"] == 0

    filed = await client.post("/v1/community-reports", headers=PARTY, json={
        "filing_no": "BA330302001000A1", "party_org_name": "五马街道墨池社区党委", "reported_on": "2026-04-01"})
    assert filed.status_code == 201, filed.text
    own = await client.post("/v1/community-reports", headers={"x-yishe-role": "org", "x-yishe-actor": event.uscc},
                            json={"uscc": event.uscc, "party_org_name": "五马街道墨池社区党委",
                                  "reported_on": "2026-05-01"})
    assert own.status_code == 201, own.text
    again = await client.post("/v1/community-reports", headers=PARTY, json={
        "filing_no": "BA330302001000A1", "party_org_name": "五马街道墨池社区党委"})
    assert again.status_code == 409 and again.json()["errors"][0]["rule"] == "PARTY-13"
    unknown = await client.post("/v1/community-reports", headers=PARTY, json={
        "filing_no": "BA-NONE", "party_org_name": "某社区党委"})
    assert unknown.status_code == 400 and unknown.json()["errors"][0]["field"] == "filing_no"
    not_community = registered(0)
    await open_record(app, not_community)
    refused = await client.post("/v1/community-reports", headers=PARTY, json={
        "uscc": not_community.uscc, "party_org_name": "某社区党委"})
    assert refused.status_code == 400 and refused.json()["errors"][0]["rule"] == "PARTY-13"

    after = (await client.get("/v1/coverage?as_of=2026-11-30", headers=STAFF)).json()
    assert after["community"] == {"organisations": 2, "reported": 2, "rate": "100.00"}
    assert after["total"]["work_covered"] == 1  # the registered one is covered by Party work (PARTY-13)
    listed = (await client.get("/v1/community-reports", headers=STAFF)).json()
    assert {(r["uscc"], r["filing_no"]) for r in listed} == {(None, "BA330302001000A1"), (event.uscc, None)}
