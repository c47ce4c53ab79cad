from __future__ import annotations

from procurement_fixtures.factories import catalogue, org, rules, staff


async def test_publishing_a_new_version_supersedes_the_old_when_same_level_and_year(client) -> None:
    first = await catalogue(client)
    second = await catalogue(client, items=[{"code": "B0101", "name": "社区矫正社会工作服务"}])
    assert second["version"] == first["version"] + 1 and second["status"] == "published"
    old = (await client.get(f"/v1/catalogues/{first['catalogue_id']}")).json()
    assert old["status"] == "superseded"


async def test_item_naming_labour_dispatch_is_refused_with_proc_5_when_creating(client) -> None:
    body = {"level": "county", "division_code": "330302", "year": 2027, "title": "目录", "issued_by": "财政局",
            "items": [{"code": "C01", "name": "窗口劳务派遣人员服务"}]}
    resp = await client.post("/v1/catalogues", json=body, headers=staff())
    assert resp.status_code == 400
    assert rules(resp) == ["PROC-5.5"] and resp.json()["errors"][0]["field"] == "items.0.name"
    assert (await client.get("/v1/catalogues")).json() == []


async def test_division_not_fitting_the_level_is_refused_when_creating(client) -> None:
    body = {"level": "city", "division_code": "330302", "year": 2027, "title": "目录", "issued_by": "财政局",
            "items": [{"code": "A01", "name": "养老服务"}]}
    resp = await client.post("/v1/catalogues", json=body, headers=staff())
    assert resp.status_code == 400 and rules(resp) == ["PROC-6"]


async def test_catalogue_is_refused_when_caller_is_not_staff(client) -> None:
    body = {"level": "county", "division_code": "330302", "year": 2027, "title": "目录", "issued_by": "财政局",
            "items": [{"code": "A01", "name": "养老服务"}]}
    resp = await client.post("/v1/catalogues", json=body, headers=org("51330302MJ0000016B"))
    assert resp.status_code == 403


async def test_staff_outside_the_division_may_not_create_when_division_differs(client) -> None:
    body = {"level": "county", "division_code": "330302", "year": 2027, "title": "目录", "issued_by": "财政局",
            "items": [{"code": "A01", "name": "养老服务"}]}
    resp = await client.post("/v1/catalogues", json=body, headers=staff("330381"))
    assert resp.status_code == 403 and resp.json()["code"] == "outside_jurisdiction"
