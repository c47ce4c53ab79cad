from __future__ import annotations

import json
from datetime import date
from decimal import Decimal

from procurement_fixtures.factories import catalogue, project_body, published_project, purchaser, signed_contract


def _load(resp) -> dict:
    assert resp.status_code == 200, resp.text
    return json.loads(resp.text, parse_float=Decimal)


async def test_schema_check_fails_when_an_amount_is_a_string(app, client, clock, ocds) -> None:
    await catalogue(client)
    project = await published_project(client, clock)
    package = _load(await client.get(f"/v1/ocds/projects/{project['project_id']}/releases"))
    assert ocds.errors(ocds.release_package, package) == []
    package["releases"][0]["planning"]["budget"]["amount"]["amount"] = "400000.00"
    package["releases"][0]["tag"] = "planning"
    assert len(ocds.errors(ocds.release_package, package)) == 2


async def test_amounts_are_exact_json_numbers_when_exported(app, client, clock) -> None:
    await catalogue(client)
    project, _ = await signed_contract(client, app, clock)
    text = (await client.get(f"/v1/ocds/projects/{project['project_id']}/releases")).text
    assert '"value":{"amount":380000.00,"currency":"CNY"}' in text


async def test_amended_and_cancelled_process_validates_when_exported(client, clock, ocds) -> None:
    await catalogue(client)
    project = await published_project(client, clock, purchaser_uscc="11330302002638470K")
    pid = project["project_id"]
    await client.patch(f"/v1/projects/{pid}", headers=purchaser(),
                       json={"rationale": "延长投标截止时间", "tender_end": "2026-12-20"})
    await client.post(f"/v1/projects/{pid}/cancel", headers=purchaser(), json={"reason": "预算调整，项目取消"})
    package = _load(await client.get(f"/v1/ocds/projects/{pid}/releases"))
    assert ocds.errors(ocds.release_package, package) == []
    assert [r["tag"] for r in package["releases"]] == [["planning"], ["tender"], ["tenderAmendment"],
                                                       ["tenderCancellation"]]
    last = package["releases"][-1]
    assert last["tender"]["status"] == "cancelled" and last["tender"]["amendments"][0]["id"] == "2"
    assert last["buyer"]["id"] == "CN-USCI-11330302002638470K"
    record = _load(await client.get(f"/v1/ocds/records/{project['ocid']}"))
    assert ocds.errors(ocds.record_package, record) == []


async def test_planned_process_is_hidden_from_the_public_until_published(client, clock) -> None:
    await catalogue(client)
    clock.fixed = date(2026, 11, 25)
    project = (await client.post("/v1/projects", json=project_body(), headers=purchaser())).json()
    assert (await client.get(f"/v1/ocds/projects/{project['project_id']}/releases")).status_code == 404
    assert (await client.get(f"/v1/ocds/projects/{project['project_id']}/releases",
                             headers=purchaser())).status_code == 200
    feed = await client.get("/v1/ocds/releases")
    assert json.loads(feed.text)["releases"] == [] and feed.headers["x-next-after"] == "0"


async def test_feed_pages_through_published_releases_when_read_in_order(app, client, clock, ocds) -> None:
    await catalogue(client)
    await signed_contract(client, app, clock)
    first = await client.get("/v1/ocds/releases?limit=2")
    assert [r["tag"] for r in json.loads(first.text)["releases"]] == [["planning"], ["tender"]]
    rest = await client.get(f"/v1/ocds/releases?after={first.headers['x-next-after']}")
    package = json.loads(rest.text, parse_float=Decimal)
    assert [r["tag"] for r in package["releases"]] == [["award"], ["contract"]]
    assert ocds.errors(ocds.release_package, package) == []
