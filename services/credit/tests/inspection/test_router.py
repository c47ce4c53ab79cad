"""双随机一公开: reproducible stratified draw, inspectors, results into the record, CR-6.3 from missed deadlines."""

from __future__ import annotations

from datetime import date

from credit_factories import STAFF, daily, open_org, profile


async def _setup(client, app) -> list[str]:
    for name in ("赵一", "钱二", "孙三"):
        inspector = {"name": name, "unit": "温州市民政局", "division_code": "330300"}
        resp = await client.post("/v1/inspectors", json=inspector, headers=STAFF)
        assert resp.status_code == 201
    orgs = [await open_org(app, division="330302") for _ in range(4)]
    orgs += [await open_org(app, division="330304", org_type="民办非企业单位") for _ in range(3)]
    return orgs


async def test_same_seed_draws_the_same_organisations_and_inspectors_when_repeated(client, app) -> None:
    await _setup(client, app)
    plan = {"name": "2026年度第一批双随机抽查", "year": 2026, "ratio": "0.5", "seed": "wz-2026-01"}
    first = (await client.post("/v1/inspection-plans", json=plan, headers=STAFF)).json()
    second = (await client.post("/v1/inspection-plans", json=plan, headers=STAFF)).json()
    assert first["strata"] == [{"stratum": "民办非企业单位|330304", "population": 3, "sampled": 2},
                               {"stratum": "社会团体|330302", "population": 4, "sampled": 2}]
    pick = [(i["uscc"], [p["inspector_id"] for p in i["inspectors"]]) for i in first["inspections"]]
    assert pick == [(i["uscc"], [p["inspector_id"] for p in i["inspectors"]]) for i in second["inspections"]]
    assert all(len(i["inspectors"]) == 2 for i in first["inspections"])
    check = (await client.get(f"/v1/inspection-plans/{first['plan_id']}/check")).json()
    assert check["reproduced"] is True
    other = (await client.post("/v1/inspection-plans", json={**plan, "seed": "another"}, headers=STAFF)).json()
    assert other["seed"] == "another"


async def test_missed_rectification_deadline_lists_cr_6_3_and_rectifying_opens_removal_when_done(client, app):
    await _setup(client, app)
    plan = (await client.post("/v1/inspection-plans", json={"name": "专项", "year": 2026, "ratio": "1",
                                                            "org_types": ["社会团体"]}, headers=STAFF)).json()
    assert plan["seed"] and len(plan["inspections"]) == 4
    target = plan["inspections"][0]
    result = await client.post(f"/v1/inspections/{target['inspection_id']}/result", json={
        "inspected_on": "2026-09-01", "result": "责令整改", "findings": "财务制度不健全",
        "rectification_due": "2026-09-30"}, headers=STAFF)
    assert result.status_code == 200 and result.json()["record_id"]
    public = (await client.get(f"/v1/inspection-plans/{plan['plan_id']}")).json()
    shown = next(i for i in public["inspections"] if i["inspection_id"] == target["inspection_id"])
    assert (shown["result"], shown["findings"]) == ("责令整改", None)  # result public, findings for staff
    assert [c for c in (await daily(client, date(2026, 9, 30)))["changes"] if c["uscc"] == target["uscc"]] == []
    changed = [(c["what"], c["rule"]) for c in (await daily(client, date(2026, 10, 1)))["changes"]
               if c["uscc"] == target["uscc"]]
    assert changed[:2] == [("rectification_overdue", "CR-6.3"), ("abnormal_listed", "CR-6.3")]
    assert (await profile(client, target["uscc"]))["colour"] == "orange"
    done = await client.post(f"/v1/inspections/{target['inspection_id']}/rectification",
                             json={"rectified_on": "2026-10-15", "evidence": ["整改报告"]}, headers=STAFF)
    assert done.status_code == 200
    apps = [a for a in (await client.get("/v1/removal-applications", headers=STAFF)).json()
            if a["uscc"] == target["uscc"]]
    assert len(apps) == 1 and apps[0]["applied_on"] == "2026-10-15"


async def test_plan_refused_409_when_too_few_inspectors(client, app) -> None:
    await open_org(app)
    resp = await client.post("/v1/inspection-plans", json={"name": "x", "year": 2026}, headers=STAFF)
    assert resp.status_code == 409 and resp.json()["errors"][0]["rule"] == "P-INSPECTION"
