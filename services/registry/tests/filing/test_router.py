from __future__ import annotations

from registry_factories import STAFF, TOWNSHIP, events


def filing(**overrides) -> dict:
    return {"community_class": "初创型", "division_code": "330302", "township_code": "330302001",
            "township": "五马街道", "village": "墨池社区", "sector": "银发广场舞", "form": "队",
            "business_scope": "组织居民文体活动", "leader": {"name": "周阿姨", "phone": "13700001234"}, "members": 18,
            "guiding_party_org": "墨池社区党委", **overrides}


async def test_township_user_files_a_community_organisation_without_uscc(client, app) -> None:
    resp = await client.post("/v1/filings", json=filing(), headers=TOWNSHIP)
    assert resp.status_code == 201, resp.text
    body = resp.json()
    assert body["filing_no"] == "BA33030200100001" and body["uscc"] is None
    assert body["name"] == "温州市鹿城区五马街道墨池社区银发广场舞队" and body["leader_phone"] == "137****1234"
    [event] = await events(app, "registry.filing.changed.v1")
    assert event["status"] == "filed" and event["filing_no"] == body["filing_no"]
    assert await events(app, "registry.organisation.registered.v1") == []
    assert (await client.get(f"/v1/filings/{body['filing_no']}")).json()["leader_phone"] is None  # public


async def test_filing_refused_when_mature_or_outside_township_or_name_bad(client) -> None:
    mature = await client.post("/v1/filings", json=filing(community_class="成熟型"), headers=TOWNSHIP)
    assert mature.status_code == 400 and mature.json()["errors"][0]["rule"] == "REG-12"
    other = await client.post("/v1/filings", json=filing(township_code="330302002", township="南汇街道"),
                              headers=TOWNSHIP)
    assert other.status_code == 403 and other.json()["errors"][0]["rule"] == "AUTH-2"
    bad = await client.post("/v1/filings", json=filing(name="墨池广场舞队", sector=None, form=None),
                            headers=TOWNSHIP)
    assert bad.status_code == 400 and {e["rule"] for e in bad.json()["errors"]} == {"REG-7"}


async def test_filing_changes_and_cancellation_recorded(client, app) -> None:
    no = (await client.post("/v1/filings", json=filing(), headers=TOWNSHIP)).json()["filing_no"]
    changed = await client.post(f"/v1/filings/{no}/changes", headers=TOWNSHIP,
                                json={"community_class": "成熟型", "members": 40, "reason": "发展壮大"})
    assert changed.json()["hint"] and changed.json()["members"] == 40
    assert (await client.post(f"/v1/filings/{no}/cancel", json={"reason": "解散"}, headers=STAFF)).status_code == 200
    trail = (await client.get(f"/v1/filings/{no}/history", headers=STAFF)).json()
    assert [h["action"] for h in trail] == ["filed", "changed", "cancelled"]
    listed = (await client.get("/v1/filings", params={"township": "330302001"})).json()["items"]
    assert [f["status"] for f in listed] == ["cancelled"]


async def test_a_township_lists_its_own_filings_and_sees_no_contact_of_others(client) -> None:
    """REG-12 filings under AUTH-2: a township account's jurisdiction is its 9-digit township code."""
    other = {**TOWNSHIP, "x-yishe-division": "330302002", "x-yishe-actor": "nanjiao-1"}
    mine = (await client.post("/v1/filings", json=filing(), headers=TOWNSHIP)).json()["filing_no"]
    theirs = (await client.post("/v1/filings", headers=other, json=filing(
        township_code="330302002", township="南郊街道", village="划龙桥社区", sector="象棋")))
    assert theirs.status_code == 201, theirs.text
    theirs = theirs.json()["filing_no"]
    listed = (await client.get("/v1/filings", headers=TOWNSHIP)).json()["items"]
    assert [f["filing_no"] for f in listed] == [mine]
    county = {f["filing_no"] for f in (await client.get("/v1/filings", headers=STAFF)).json()["items"]}
    assert {mine, theirs} <= county
    assert (await client.get(f"/v1/filings/{theirs}", headers=TOWNSHIP)).json()["leader_phone"] is None
    assert (await client.get(f"/v1/filings/{mine}", headers=TOWNSHIP)).json()["leader_phone"] == "137****1234"
