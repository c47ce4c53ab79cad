from __future__ import annotations

from datetime import date

import pytest
from cultivation_factories import CITY_STAFF, OUYAN_STAFF, add_org, grade, graded, registered

pytestmark = pytest.mark.nats


async def test_profiles_come_from_the_committed_file_with_the_seeds_numbers(client) -> None:
    """RULES §10 / EVAL-10 / PLAT-4: the seeds' numbers as ready profiles (Wenzhou, Longgang, Sichuan)."""
    profiles = {p["code"]: p for p in (await client.get("/v1/targets/profiles")).json()}
    assert set(profiles) == {"wenzhou", "longgang", "sichuan"}
    wz = profiles["wenzhou"]["years"]["2025"]
    assert wz["grade_4a5a"] == [">=", "470"] and wz["community_foundations"] == [">=", "50"]
    assert wz["charities"] == [">=", "260"] and wz["healthy_share"] == [">", "80"]
    assert profiles["wenzhou"]["years"]["2022"]["platforms_in_operation"] == [">=", "80"]
    lg = profiles["longgang"]["years"]
    assert lg["2023"]["organisations_new"] == [">=", "45"] and lg["2025"]["grade_3a_plus"] == [">=", "60"]
    indicators = {i["code"]: i for i in (await client.get("/v1/targets/indicators")).json()}
    assert indicators["full_time_staff"]["events"] == ["registry.workforce.reported.v1"]


async def test_progress_drills_down_to_the_records_and_exports_csv(app, client) -> None:
    """Every number drills down to the organisations behind it; progress against the division's target set; CSV
    with BOM and Chinese headers; AUTH-2 on every list."""
    a = await add_org(app, registered(on=date(2026, 2, 1)))
    b = await add_org(app, registered(on=date(2019, 2, 1)))
    c = await add_org(app, registered(division="330303", on=date(2026, 3, 1)))
    await grade(app, graded(a, "4A", on=date(2026, 5, 1)))
    await grade(app, graded(b, "5A", on=date(2025, 5, 1)))
    await grade(app, graded(c, "3A", on=date(2026, 5, 1)))
    from yishe_contracts.events.registry import WorkforceReported
    from yishe_cultivation.organisation import service as organisation_service

    async with app.state.sessionmaker() as s:  # WORK-1 figures as the consumer keeps them (latest year wins)
        for uscc, year, staff in ((a, 2025, 3), (a, 2026, 7), (b, 2026, 0)):
            await organisation_service.on_workforce_reported(s, WorkforceReported(
                uscc=uscc, division_code="330302", year=year, full_time_staff=staff, certified_social_workers=0,
                volunteers=0))
        await s.commit()
    made = await client.post("/v1/targets/sets", headers=CITY_STAFF, json={
        "division_code": "3303", "year": 2025, "profile": "wenzhou", "purchase_spending": "1000000"})
    assert made.status_code == 201 and made.json()["targets"]["grade_4a5a"] == [">=", "470"]
    dup = await client.post("/v1/targets/sets", headers=CITY_STAFF, json={"division_code": "3303", "year": 2025})
    assert dup.status_code == 409
    await client.post("/v1/targets/sets", headers=CITY_STAFF, json={
        "division_code": "3303", "year": 2026, "targets": {"grade_4a5a": [">=", 2], "organisations_new": [">=", 5]}})

    progress = (await client.get("/v1/targets/progress?division=3303&year=2026", headers=CITY_STAFF)).json()
    rows = {r["indicator"]: r for r in progress["rows"]}
    assert rows["grade_4a5a"]["value"] == "2" and rows["grade_4a5a"]["met"] is True
    assert rows["organisations_new"]["value"] == "2" and rows["organisations_new"]["progress"] == "40.00"
    assert rows["grade_3a_plus"]["value"] == "3"
    assert rows["full_time_staff"]["value"] == "7" and rows["full_time_staff_share"]["value"] == "33.33"
    back = (await client.get("/v1/targets/progress?division=3303&year=2025", headers=CITY_STAFF)).json()
    assert {r["indicator"]: r["value"] for r in back["rows"]}["grade_4a5a"] == "1"  # a: 4A only from 2026

    drill = (await client.get(rows["grade_4a5a"]["records"], headers=CITY_STAFF)).json()
    assert sorted(r["uscc"] for r in drill["records"]) == sorted([a, b]) and drill["value"] == "2"
    new3a = (await client.get("/v1/targets/indicators/grade_3a_plus_new/records?division=3303&year=2026",
                              headers=CITY_STAFF)).json()
    assert sorted(r["uscc"] for r in new3a["records"]) == sorted([a, c])
    csv = await client.get("/v1/targets/progress.csv?division=3303&year=2026", headers=CITY_STAFF)
    assert csv.content.startswith(b"\xef\xbb\xbf")
    assert csv.content.decode("utf-8-sig").splitlines()[0].startswith("指标代码,指标,区划,年度,当前值")
    county = (await client.get("/v1/targets/indicators/grade_3a_plus/breakdown?division=3303&year=2026",
                               headers=CITY_STAFF)).json()
    assert {r["division_code"]: r["value"] for r in county["rows"]} == {"330302": "2", "330303": "1"}
    trend = (await client.get("/v1/targets/indicators/grade_4a5a/trend?division=3303&from=2024&to=2026",
                              headers=CITY_STAFF)).json()
    assert [(p["year"], p["value"], p["target"]) for p in trend["points"]] == [
        (2024, "0", None), (2025, "1", "470"), (2026, "2", "2")]

    own = (await client.get("/v1/targets/indicators/grade_3a_plus/records", headers=OUYAN_STAFF)).json()
    assert [r["uscc"] for r in own["records"]] == [c]
    denied = await client.get("/v1/targets/progress?division=330302", headers=OUYAN_STAFF)
    assert denied.status_code == 403 and denied.json()["code"] == "outside_jurisdiction"
    unknown = await client.post("/v1/targets/sets", headers=CITY_STAFF, json={
        "division_code": "3303", "year": 2027, "targets": {"nonsense": [">", 1]}})
    assert unknown.status_code == 400 and unknown.json()["errors"][0]["field"] == "targets.nonsense"


@pytest.mark.parametrize("division", ["\U000c7756È#ªv¯B·\x18e", "33\r\nx-evil: 1", "3303'", "１２３４"])
async def test_division_that_is_not_a_code_is_422_on_every_export(client, division) -> None:
    """Issue 12 (no 5xx): a `division` of other text (control characters, non-Latin-1) reached the CSV's
    content-disposition header and was a server error; a division is digits, refused 422 naming the field."""
    for path in ("/v1/targets/progress.csv", "/v1/targets/progress", "/v1/targets/indicators/charities/records",
                 "/v1/activities", "/v1/platforms", "/v1/rewards"):
        resp = await client.get(path, params={"division": division, "format": "csv"}, headers=CITY_STAFF)
        assert resp.status_code == 422, (path, resp.status_code, resp.text)
        assert "division" in {e["field"] for e in resp.json()["errors"]}, resp.text
    ok = await client.get("/v1/targets/progress.csv", params={"division": "3303"}, headers=CITY_STAFF)
    assert ok.status_code == 200 and "progress-3303-" in ok.headers["content-disposition"]


@pytest.mark.parametrize("query", ["to=-477823216171800", "from=99999", "to=1948", "from=2201"])
async def test_trend_years_outside_1949_2200_are_422_naming_them(client, query) -> None:
    """Issue 12 (no 5xx): `to=-477823216171800` reached date() and was a server error; from/to are years."""
    resp = await client.get(f"/v1/targets/indicators/organisations_total/trend?{query}", headers=CITY_STAFF)
    assert resp.status_code == 422, resp.text
    assert query.split("=")[0] in {e["field"] for e in resp.json()["errors"]}
