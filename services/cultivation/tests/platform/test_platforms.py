from __future__ import annotations

from decimal import Decimal

import pytest
from cultivation_factories import CITY_STAFF, LUCHENG_STAFF, OUYAN_STAFF, add_org, grade, graded, registered
from sqlalchemy import func, select

from yishe_cultivation.platform.models import Assessment

pytestmark = pytest.mark.nats

FULL = {"physical_operation": 15, "professional_operation": 10, "dedicated_funds": 10, "party_leadership": 10,
        "cultivation": 12, "hub_role": 18, "professional_services": 20, "public_assessment": 5}


def items(**scores: float) -> list[dict]:
    return [{"code": c, "score": scores.get(c, p), "evidence": [f"https://example.org/{c}.pdf"]}
            for c, p in FULL.items()]


async def test_operator_from_outside_the_area_must_be_two_years_old_and_3a(app, client) -> None:
    """PLAT-1 专业运营: an operator registered outside the township's county needs ≥ 2 years and ≥ 3A."""
    young = await add_org(app, registered(division="330303", on=__import__("datetime").date(2025, 6, 1)))
    r = await client.post("/v1/platforms", headers=CITY_STAFF, json={
        "township_code": "330302001", "name": "五马街道社会组织服务中心", "operator_uscc": young,
        "physical_operation": True})
    assert r.status_code == 400, r.text
    rules = {(e["field"], e["rule"]) for e in r.json()["errors"]}
    assert rules == {("operator_uscc", "PLAT-1")}
    assert len(r.json()["errors"]) == 2  # too young and not graded
    assert (await client.get("/v1/platforms", headers=CITY_STAFF)).json() == []

    old = await add_org(app, registered(division="330303"))
    await grade(app, graded(old, "3A"))
    r = await client.post("/v1/platforms", headers=CITY_STAFF, json={
        "township_code": "330302001", "name": "五马街道社会组织服务中心", "operator_uscc": old, "space_m2": "250",
        "full_time_social_workers": 2, "physical_operation": True})
    assert r.status_code == 201, r.text
    assert r.json()["operator_local"] is False
    assert any("300" in w for w in r.json()["warnings"])

    local = await add_org(app, registered(division="330302", on=__import__("datetime").date(2026, 1, 1)))
    r = await client.post("/v1/platforms", headers=LUCHENG_STAFF, json={
        "township_code": "330302002", "name": "南汇街道社会组织服务中心", "operator_uscc": local,
        "physical_operation": False})
    assert r.status_code == 201, r.text  # a local operator: no age or grade bar
    again = await client.post("/v1/platforms", headers=LUCHENG_STAFF, json={
        "township_code": "330302002", "name": "重复", "physical_operation": False})
    assert again.status_code == 409 and again.json()["errors"][0]["rule"] == "PLAT-1"


async def test_assessment_scores_band_and_history(app, client) -> None:
    """PLAT-1..3: a score above its item's points is refused naming the item; the total sets the band (≥ 90 示范型,
    75–89 完善型, ≤ 74 提升型); one assessment per year, history kept."""
    p = (await client.post("/v1/platforms", headers=CITY_STAFF, json={
        "township_code": "330302001", "name": "五马街道社会组织服务中心", "physical_operation": True})).json()
    url = f"/v1/platforms/{p['platform_id']}/assessments"
    bad = await client.put(f"{url}/2025", headers=CITY_STAFF,
                           json={"items": items(hub_role=19), "assessor": "第三方评估机构"})
    assert bad.status_code == 400
    err = bad.json()["errors"][0]
    assert (err["field"], err["rule"]) == ("items[5].score", "PLAT-1") and "枢纽作用" in err["message_zh"]
    async with app.state.sessionmaker() as s:
        assert await s.scalar(select(func.count()).select_from(Assessment)) == 0

    missing = await client.put(f"{url}/2025", headers=CITY_STAFF,
                               json={"items": items()[:-1], "assessor": "第三方评估机构"})
    assert missing.status_code == 400 and "社会评价" in missing.json()["errors"][0]["message_zh"]

    r = await client.put(f"{url}/2024", headers=CITY_STAFF, json={
        "items": items(hub_role=10, professional_services=10), "assessor": "第三方评估机构"})
    assert r.json()["total"] == "82.00" and r.json()["band"] == "完善型"
    r = await client.put(f"{url}/2025", headers=CITY_STAFF, json={"items": items(hub_role=14),
                                                                 "assessor": "第三方评估机构"})
    assert Decimal(r.json()["total"]) == Decimal(96) and r.json()["band"] == "示范型"
    r = await client.put(f"{url}/2025", headers=CITY_STAFF, json={
        "items": items(hub_role=0, professional_services=8), "assessor": "第三方评估机构"})
    assert r.json()["total"] == "70.00" and r.json()["band"] == "提升型"  # a correction of the same year
    history = (await client.get(url, headers=CITY_STAFF)).json()
    assert [(h["year"], h["band"]) for h in history] == [(2024, "完善型"), (2025, "提升型")]
    listed = (await client.get("/v1/platforms?band=提升型", headers=CITY_STAFF)).json()
    assert [x["latest_year"] for x in listed] == [2025]
    future = await client.put(f"{url}/2027", headers=CITY_STAFF, json={"items": items(), "assessor": "x"})
    assert future.status_code == 400 and future.json()["errors"][0]["field"] == "year"


async def test_operation_share_per_county_against_targets_and_jurisdiction(client) -> None:
    """PLAT-4: share of township platforms in physical operation per county against 50 / 80 / 100 %; AUTH-2."""
    for code, running in (("330302001", True), ("330302002", True), ("330302003", False), ("330303001", True)):
        r = await client.post("/v1/platforms", headers=CITY_STAFF, json={
            "township_code": code, "name": f"平台{code}", "physical_operation": running})
        assert r.status_code == 201
    report = (await client.get("/v1/platforms/operation?year=2022", headers=CITY_STAFF)).json()
    rows = {r["division_code"]: r for r in report["rows"]}
    assert rows["330302"]["share"] == "66.67" and rows["330302"]["target"] == "80" and rows["330302"]["met"] is False
    assert rows["330303"]["share"] == "100.00" and rows["330303"]["met"] is True
    assert report["total"]["in_operation"] == 3
    own = (await client.get("/v1/platforms", headers=OUYAN_STAFF)).json()
    assert [p["township_code"] for p in own] == ["330303001"]
    denied = await client.get("/v1/platforms?division=330302", headers=OUYAN_STAFF)
    assert denied.status_code == 403 and denied.json()["errors"][0]["rule"] == "AUTH-2"
    outside = await client.post("/v1/platforms", headers=OUYAN_STAFF, json={
        "township_code": "330302009", "name": "越权", "physical_operation": True})
    assert outside.status_code == 403


async def test_patch_with_nulls_clears_what_may_be_cleared_and_refuses_the_rest(app, client) -> None:
    """Issue 12 (no 5xx): PATCH /v1/platforms/{id} with {"operator_uscc": null} was a server error; clearing the
    operator is allowed (PLAT-1: the platform then has none), a null for a required field is a 422 naming it."""
    old = await add_org(app, registered(division="330302"))
    p = (await client.post("/v1/platforms", headers=CITY_STAFF, json={
        "township_code": "330302001", "name": "五马街道社会组织服务中心", "operator_uscc": old,
        "full_time_social_workers": 1, "physical_operation": True})).json()
    url = f"/v1/platforms/{p['platform_id']}"
    r = await client.patch(url, headers=CITY_STAFF, json={"operator_uscc": None})
    assert r.status_code == 200, r.text
    assert (r.json()["operator_uscc"], r.json()["operator_name"], r.json()["operator_local"]) == (None, None, None)
    for field in ("name", "full_time_social_workers", "physical_operation"):
        bad = await client.patch(url, headers=CITY_STAFF, json={field: None})
        assert bad.status_code == 422, (field, bad.text)
        assert field in {e["field"] for e in bad.json()["errors"]}
