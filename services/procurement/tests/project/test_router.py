from __future__ import annotations

from datetime import date

from procurement_fixtures.factories import catalogue, project_body, published_project, purchaser, rules


async def _create(client, clock, **overrides):
    clock.fixed = date(2026, 11, 25)
    return await client.post("/v1/projects", json=project_body(**overrides), headers=purchaser())


async def test_project_is_planned_with_an_ocid_when_item_and_budget_are_valid(client, clock) -> None:
    await catalogue(client)
    resp = await _create(client, clock)
    assert resp.status_code == 201, resp.text
    body = resp.json()
    assert body["ocid"] == "ocds-yishe-330302-2027-0001" and body["status"] == "planning"
    assert body["budget_amount"] == "400000.00" and body["catalogue_level"] == "county"


async def test_item_from_the_province_catalogue_is_found_when_county_has_none(client, clock) -> None:
    await catalogue(client, level="province", division="330000", items=[{"code": "P01", "name": "省级目录服务"}])
    resp = await _create(client, clock, catalogue_item_code="P01")
    assert resp.status_code == 201 and resp.json()["catalogue_level"] == "province"


async def test_project_is_refused_with_proc_6_when_item_not_in_a_published_catalogue(client, clock) -> None:
    await catalogue(client, publish=False)
    resp = await _create(client, clock)
    assert resp.status_code == 400 and rules(resp) == ["PROC-6"]
    assert resp.json()["errors"][0]["field"] == "catalogue_item_code"


async def test_project_is_refused_with_proc_6_when_it_has_no_budget(client, clock) -> None:
    await catalogue(client)
    body = project_body()
    del body["budget_amount"]
    clock.fixed = date(2026, 11, 25)
    resp = await client.post("/v1/projects", json=body, headers=purchaser())
    assert resp.status_code == 400 and rules(resp) == ["PROC-6"]
    assert (await client.get("/v1/projects", headers=purchaser())).json() == []


async def test_staffing_is_refused_with_its_reason_when_content_type_is_staffing(client, clock) -> None:
    await catalogue(client)
    resp = await _create(client, clock, content_type="staffing", government_must_perform=True)
    assert resp.status_code == 400 and sorted(rules(resp)) == ["PROC-5.2", "PROC-5.5"]
    assert any("劳务派遣" in e["message_zh"] for e in resp.json()["errors"])


async def test_amount_sent_as_a_json_float_is_refused_when_creating(client, clock) -> None:
    await catalogue(client)
    resp = await _create(client, clock, budget_amount=400000.5)
    assert resp.status_code == 422 and resp.json()["errors"][0]["field"] == "budget_amount"


async def test_term_over_one_year_is_refused_with_proc_7_when_not_justified(client, clock) -> None:
    await catalogue(client)
    resp = await _create(client, clock, term_end="2028-06-30")
    assert resp.status_code == 400 and rules(resp) == ["PROC-7"]


async def test_term_up_to_three_years_is_accepted_when_justified(client, clock) -> None:
    await catalogue(client)
    justified = {"budget_assured": True, "stable_continuous": True, "stable_price": True,
                 "justification": "长期照护服务需要稳定团队，资金已列入三年滚动预算"}
    assert (await _create(client, clock, term_end="2029-12-31", multi_year=justified)).status_code == 201
    over = await _create(client, clock, term_end="2030-01-01", multi_year=justified)
    assert over.status_code == 400 and "3" in over.json()["errors"][0]["message"]


async def test_amendment_keeps_the_history_when_budget_and_deadline_change(client, clock) -> None:
    await catalogue(client)
    project = await published_project(client, clock)
    resp = await client.patch(f"/v1/projects/{project['project_id']}", headers=purchaser(),
                              json={"rationale": "预算调整并延长投标期", "budget_amount": "420000",
                                    "tender_end": "2026-12-15"})
    assert resp.status_code == 200, resp.text
    body = resp.json()
    assert body["version"] == 2 and body["budget_amount"] == "420000.00"
    [amendment] = body["amendments"]
    assert amendment["stage"] == "tender" and amendment["changes"]["budget_amount"] == {
        "before": "400000.00", "after": "420000.00"}


async def test_amendment_is_refused_when_nothing_changes(client, clock) -> None:
    await catalogue(client)
    project = await published_project(client, clock)
    resp = await client.patch(f"/v1/projects/{project['project_id']}", headers=purchaser(),
                              json={"rationale": "重新确认预算金额", "budget_amount": "400000.00"})
    assert resp.status_code == 400 and resp.json()["code"] == "nothing_to_amend"


async def test_purchaser_outside_the_division_may_not_plan_when_division_differs(client, clock) -> None:
    await catalogue(client)
    clock.fixed = date(2026, 11, 25)
    resp = await client.post("/v1/projects", json=project_body(), headers=purchaser("330381"))
    assert resp.status_code == 403


async def test_unpublished_projects_are_hidden_from_the_public_when_listing(client, clock) -> None:
    await catalogue(client)
    project = (await _create(client, clock)).json()
    assert (await client.get("/v1/projects")).json() == []
    assert len((await client.get("/v1/projects", headers=purchaser())).json()) == 1
    assert (await client.get(f"/v1/projects/{project['project_id']}")).status_code == 404
    assert (await client.get(f"/v1/projects/{project['project_id']}", headers=purchaser())).status_code == 200


async def test_publication_is_refused_when_the_tender_deadline_has_passed(client, clock) -> None:
    await catalogue(client)
    project = (await _create(client, clock)).json()
    clock.fixed = date(2026, 12, 11)
    resp = await client.post(f"/v1/projects/{project['project_id']}/publish", headers=purchaser())
    assert resp.status_code == 400 and rules(resp) == ["PROC-7"]
