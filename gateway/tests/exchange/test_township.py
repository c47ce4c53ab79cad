"""AUTH-2 for township (乡镇/街道) accounts: a township's jurisdiction is what was filed with it (its filings and the
organisations filed with it that went on to register), in the change feed and in the profile's view; its county's
accounts see all of that too, the township nothing else of the county."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest

from yishe_contracts.events.credit import ColourChanged
from yishe_contracts.events.registry import FilingChanged
from yishe_kit.clock import today as business_today
from yishe_kit.testing import eventually

pytestmark = pytest.mark.nats

COUNTY, TOWNSHIP, NEIGHBOUR = "330302", "330302001", "330302002"


def _filing(township: str, status: str = "filed", uscc: str | None = None) -> FilingChanged:
    return FilingChanged(filing_no=f"BA{township}{uuid.uuid4().int % 10**5:05d}", name="鹿城区五马街道墨池社区广场舞队",
                         community_class="初创型", division_code=COUNTY, township_code=township, status=status,
                         uscc=uscc, changed_on=business_today())


async def _ids(client, headers: dict) -> list[str]:
    resp = await client.get("/v1/feed", params={"limit": 1000}, headers=headers)
    assert resp.status_code == 200, resp.text
    return [i["id"] for i in resp.json()["items"]]


async def test_township_account_sees_what_was_filed_with_it_in_feed_and_profile(events_gateway, fake, auth, publish,
                                                                                registered, make_uscc) -> None:
    app, client = events_gateway
    filed_uscc, other_uscc = make_uscc(COUNTY), make_uscc(COUNTY)
    own = await publish(_filing(TOWNSHIP))
    neighbours = await publish(_filing(NEIGHBOUR))
    # The filed organisation registers: registry emits its registration and the filing's change together, and the
    # gateway may consume either first.
    registration = await publish(registered(filed_uscc))
    upgraded = await publish(_filing(TOWNSHIP, "registered", filed_uscc))
    colour = await publish(ColourChanged(uscc=filed_uscc, from_colour="green", to_colour="yellow", rule="CODE-3",
                                         reason="年度工作报告逾期未报", changed_at=datetime.now(UTC)))
    unrelated = await publish(registered(other_uscc))
    everything = {own.id, neighbours.id, registration.id, upgraded.id, colour.id, unrelated.id}
    internal = auth.bearer(await auth.token(app, "internal"))

    async def arrived() -> bool:
        return everything <= set(await _ids(client, internal))

    await eventually(arrived)
    township = auth.bearer(await auth.token(app, "staff", division=TOWNSHIP))
    county = auth.bearer(await auth.token(app, "staff", division=COUNTY))
    assert set(await _ids(client, township)) & everything == {own.id, registration.id, upgraded.id, colour.id}
    assert set(await _ids(client, county)) & everything == everything

    for uscc in (filed_uscc, other_uscc):
        fake.add(uscc)
    assert (await client.get(f"/v1/code/{filed_uscc}", headers=township)).json()["view"] == "department"
    assert (await client.get(f"/v1/code/{other_uscc}", headers=township)).json()["view"] == "public"
    refused = await client.get(f"/v1/code/{other_uscc}", params={"view": "department"}, headers=township)
    assert refused.status_code == 403
    assert (await client.get(f"/v1/code/{other_uscc}", headers=county)).json()["view"] == "department"
