from __future__ import annotations

from datetime import date

from procurement_fixtures.factories import a_uscc, catalogue, org, project_body, published_project, purchaser, staff


async def test_needs_designs_resources_and_projects_are_linked_when_matched(client, clock) -> None:
    needs = await client.post("/v1/needs", headers=staff(), json={
        "division_code": "330302", "township": "五马街道", "community": "墨池社区", "year": 2027,
        "source": "2026年度辖区需求调研", "items": [{"title": "高龄独居老人助餐", "category": "养老"},
                                                {"title": "青少年课后托管", "category": "青少年"}]})
    assert needs.status_code == 201, needs.text
    meal, afterschool = [i["need_item_id"] for i in needs.json()["items"]]
    agency = a_uscc("2")
    design = await client.post("/v1/designs", headers=org(agency), json={
        "title": "社区居家养老助餐项目", "designer_uscc": agency, "need_item_ids": [meal],
        "estimated_amount": "400000"})
    assert design.status_code == 201, design.text
    design_id = design.json()["design_id"]
    undertaker = a_uscc()
    resource = await client.post("/v1/resources", headers=staff(), json={
        "design_id": design_id, "supplier_name": "鹿城区慈善总会", "supplier_kind": "charity",
        "resource": "助餐补贴资金", "amount": "50000", "undertaker_uscc": undertaker})
    assert resource.status_code == 201, resource.text
    await catalogue(client)
    project = await published_project(client, clock, design_id=design_id)
    chain = (await client.get("/v1/matching?division_code=330302&year=2027")).json()
    [linked] = chain["designs"]
    assert linked["project_ids"] == [project["project_id"]] and linked["resources"][0]["undertaker_uscc"] == undertaker
    assert chain["unanswered_need_item_ids"] == [afterschool]


async def test_design_is_refused_when_an_organisation_designs_in_another_name(client) -> None:
    needs = await client.post("/v1/needs", headers=staff(), json={
        "division_code": "330302", "township": "五马街道", "community": "墨池社区", "year": 2027,
        "items": [{"title": "高龄独居老人助餐"}]})
    item = needs.json()["items"][0]["need_item_id"]
    resp = await client.post("/v1/designs", headers=org(a_uscc()), json={
        "title": "社区助餐项目", "designer_uscc": a_uscc("2"), "need_item_ids": [item]})
    assert resp.status_code == 403


async def test_project_naming_an_unknown_design_is_a_404_when_created(client, clock) -> None:
    await catalogue(client)
    clock.fixed = date(2026, 11, 25)
    resp = await client.post("/v1/projects", json=project_body(design_id="nope"), headers=purchaser())
    assert resp.status_code == 404
