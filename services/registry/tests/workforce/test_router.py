from __future__ import annotations

from datetime import date

from registry_factories import STAFF, TOWNSHIP, events, registered


def report(year: int, workforce: dict | None) -> dict:
    body = {"year": year, "activities": "全年开展志愿服务活动24场",
            "finance": {"total_income": "120000.00", "total_expenditure": "98000.50", "net_assets": "65000.00"},
            "party_building": {"has_party_organisation": True, "full_members": 3, "activities_held": 6}}
    return {**body, "workforce": workforce} if workforce is not None else body


async def test_annual_report_and_change_filing_emit_the_workforce_figures(client, app, clock) -> None:
    """WORK-1: the annual report's workforce section, then a change filing, each emit
    `registry.workforce.reported.v1` with uscc, division, year and the three counts; the latest filing wins."""
    org = await registered(client, clock(date(2025, 3, 1)))
    uscc = org["uscc"]
    clock(date(2026, 3, 10))
    resp = await client.post(f"/v1/organisations/{uscc}/annual-reports", headers=STAFF, json=report(2025, {
        "full_time_staff": 2, "certified_social_workers": 1, "volunteers": 40}))
    assert resp.status_code == 201, resp.text
    filed = await client.post(f"/v1/organisations/{uscc}/workforce", headers={"x-yishe-role": "org",
                                                                             "x-yishe-actor": uscc},
                              json={"full_time_staff": 3, "certified_social_workers": 2, "volunteers": 55})
    assert filed.status_code == 200 and filed.json()["year"] == 2026 and filed.json()["source"] == "change"
    reported = await events(app, "registry.workforce.reported.v1", uscc)
    assert [(e["year"], e["division_code"], e["full_time_staff"], e["certified_social_workers"], e["volunteers"],
             e["source"]) for e in reported] == [(2025, "330302", 2, 1, 40, "annual_report"),
                                                 (2026, "330302", 3, 2, 55, "change")]
    again = await client.post(f"/v1/organisations/{uscc}/workforce", headers=STAFF,
                              json={"year": 2026, "full_time_staff": 4, "certified_social_workers": 2})
    assert again.json()["full_time_staff"] == 4
    figures = (await client.get(f"/v1/organisations/{uscc}/workforce")).json()
    assert [(f["year"], f["full_time_staff"]) for f in figures] == [(2025, 2), (2026, 4)]


async def test_negative_counts_are_refused_with_nothing_written(client, app, clock) -> None:
    """WORK-1: a negative head count is a 400 naming the field, in a change filing or an annual report."""
    org = await registered(client, clock(date(2025, 3, 1)))
    uscc = org["uscc"]
    clock(date(2026, 3, 10))
    bad = await client.post(f"/v1/organisations/{uscc}/workforce", headers=STAFF,
                            json={"full_time_staff": -1, "certified_social_workers": 0})
    assert bad.status_code == 400 and bad.json()["errors"][0] == {**bad.json()["errors"][0],
                                                                  "field": "full_time_staff", "rule": "WORK-1"}
    in_report = await client.post(f"/v1/organisations/{uscc}/annual-reports", headers=STAFF, json=report(2025, {
        "full_time_staff": 1, "certified_social_workers": -2}))
    assert in_report.status_code == 400 and in_report.json()["errors"][0]["field"] == \
        "workforce.certified_social_workers"
    assert await events(app, "registry.workforce.reported.v1", uscc) == []


async def test_indicators_count_organisations_with_full_time_staff_and_the_city_totals(client, clock) -> None:
    """WORK-2 (≥ 1 full-time staff per organisation; not reporting counts as without) and WORK-3 (totals against
    the 60,000 target), per division and year, within the caller's jurisdiction."""
    today = clock(date(2026, 2, 1))
    staffed, unstaffed = await registered(client, today), await registered(client, today)
    await registered(client, today)  # reports nothing: counts as without full-time staff
    for org, counts in ((staffed, (3, 1, 20)), (unstaffed, (0, 0, 8))):
        await client.post(f"/v1/organisations/{org['uscc']}/workforce", headers=STAFF, json=dict(zip(
            ("full_time_staff", "certified_social_workers", "volunteers"), counts, strict=True)))
    result = (await client.get("/v1/workforce/indicators?year=2026&division=330302", headers=STAFF)).json()
    [division] = result["divisions"]
    assert division["organisations"] >= 3 and division["reporting"] == 2
    assert (result["with_full_time_staff"], result["full_time_staff"], result["certified_social_workers"],
            result["volunteers"]) == (1, 3, 1, 28)
    assert division["without_full_time_staff"] == division["organisations"] - 1
    assert result["city_target_full_time_staff"] == 60000
    assert result["share_with_full_time_staff"] == round(1 / division["organisations"], 4)
    assert (await client.get("/v1/workforce/indicators?year=2026&division=330303",
                             headers=TOWNSHIP)).status_code == 403
    assert (await client.get("/v1/workforce/indicators?year=2026")).status_code == 403


async def test_a_change_registration_keeps_the_figures_current(client, app, clock) -> None:
    """WORK-1: a change registration may carry this year's workforce; it is recorded and emitted, not put in
    `registry.organisation.changed.v1`; negative counts refuse the whole change."""
    org = await registered(client, clock(date(2026, 5, 1)))
    uscc, url = org["uscc"], f"/v1/organisations/{org['uscc']}/changes"
    bad = await client.post(url, headers=STAFF, json={"address": "温州市鹿城区新址1号", "reason": "迁址",
                                                      "workforce": {"full_time_staff": -3,
                                                                    "certified_social_workers": 0}})
    assert bad.status_code == 400 and bad.json()["errors"][0]["field"] == "workforce.full_time_staff"
    assert (await client.get(f"/v1/organisations/{uscc}", headers=STAFF)).json()["address"] != "温州市鹿城区新址1号"
    only = await client.post(url, headers=STAFF, json={"reason": "专职人员变动", "workforce": {
        "full_time_staff": 2, "certified_social_workers": 1, "volunteers": 30}})
    assert only.status_code == 200 and only.json()["changes"] == {}
    [event] = await events(app, "registry.workforce.reported.v1", uscc)
    assert (event["year"], event["full_time_staff"], event["source"]) == (2026, 2, "change")
    assert await events(app, "registry.organisation.changed.v1", uscc) == []
