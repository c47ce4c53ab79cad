"""The 一社一码 read model (yishe_kit.readmodel): the gateway's read of an organisation comes from it, equals the live
route byte for byte, and shows every kind of change on the very next read (change and status registrations,
grades, annual reports, imports)."""

from __future__ import annotations

from datetime import date

from registry_factories import STAFF, audit_exempted, id_number, registered
from registry_factories import direct as direct_body

from yishe_contracts.identifiers import encode_sequence, make_uscc

GATEWAY = {"x-yishe-role": "internal", "x-yishe-actor": "gateway"}
LIVE = {"x-yishe-role": "internal", "x-yishe-actor": "operator"}  # the same view, through FastAPI's route


async def read(client, uscc: str) -> dict:
    """The gateway's read, checked against the live route; returns the organisation."""
    fast = await client.get(f"/v1/organisations/{uscc}", headers=GATEWAY)
    live = await client.get(f"/v1/organisations/{uscc}", headers=LIVE)
    assert fast.status_code == live.status_code == 200, fast.text
    assert fast.content == live.content
    return fast.json()


async def held(client, app, uscc: str) -> dict:
    """Read twice: the second read is served from the stored fragment (no build)."""
    await read(client, uscc)
    builds = app.state.read_model.builds
    body = await read(client, uscc)
    assert app.state.read_model.builds == builds
    return body


async def direct(client, name: str = "温州市鹿城区读模型志愿者协会") -> dict:
    body = direct_body(name, legal_representative={"name": "张三", "id_number": "11010519491231002X",
                                                   "phone": "13800138000"})
    resp = await client.post("/v1/organisations", json=body, headers=STAFF)
    assert resp.status_code == 201, resp.text
    return resp.json()


async def test_gateway_read_is_the_unmasked_stored_view_and_other_paths_are_untouched(client, app) -> None:
    org = await direct(client)
    body = await held(client, app, org["uscc"])
    assert body["legal_representative"]["id_number"] == "11010519491231002X"  # internal: unmasked
    history = await client.get(f"/v1/organisations/{org['uscc']}/history", headers=GATEWAY)
    assert history.status_code == 200 and history.json()[0]["action"] == "registered"
    unknown = make_uscc(category="1", division_code="330302", body8="LG" + encode_sequence(9, 6))
    missing = await client.get(f"/v1/organisations/{unknown}", headers=GATEWAY)
    assert missing.status_code == 404
    malformed = await client.get("/v1/organisations/51330302MJ0000018Y", headers=GATEWAY)
    assert malformed.status_code == 400 and malformed.json()["errors"][0]["rule"].startswith("USCC")


async def test_change_registration_shows_on_the_next_read(client, app) -> None:
    org = await direct(client)
    await held(client, app, org["uscc"])
    await audit_exempted(client, org["uscc"], "legal_rep_change")
    change = {"address": "温州市鹿城区南汇街道锦江路12号", "reason": "住所变更",
              "legal_representative": {"name": "林新", "id_number": id_number(date(1980, 1, 1)),
                                       "phone": "13900001111"}}
    resp = await client.post(f"/v1/organisations/{org['uscc']}/changes", json=change, headers=STAFF)
    assert resp.status_code == 200, resp.text
    body = await read(client, org["uscc"])
    assert body["address"] == change["address"] and body["legal_representative"]["phone"] == "13900001111"


async def test_status_changes_show_on_the_next_read(client, app) -> None:
    org = await direct(client)
    url = f"/v1/organisations/{org['uscc']}/status"
    await held(client, app, org["uscc"])
    suspended = await client.post(url, headers=STAFF, json={"action": "suspend", "rule": "CR-12", "reason": "处罚",
                                                            "until": "2099-08-01"})
    assert suspended.status_code == 200, suspended.text
    body = await read(client, org["uscc"])
    assert body["status"] == "suspended" and body["suspended_until"] == "2099-08-01"
    await held(client, app, org["uscc"])
    restored = await client.post(url, headers=STAFF, json={"action": "restore", "rule": "REG-2", "reason": "整改完毕"})
    assert restored.status_code == 200, restored.text
    assert (await read(client, org["uscc"]))["status"] == "active"


async def test_grades_and_annual_reports_show_on_the_next_read(client, app, clock) -> None:
    clock(date(2023, 1, 10))
    org = await registered(client, date(2023, 1, 10))
    uscc = org["uscc"]
    clock(date(2026, 11, 20))
    await held(client, app, uscc)
    awarded = await client.post(f"/v1/organisations/{uscc}/grades", json={"grade": "4A", "announced_on": "2026-11-10"},
                                headers=STAFF)
    assert awarded.status_code == 201, awarded.text
    assert (await read(client, uscc))["grade"] == "4A"
    await held(client, app, uscc)
    await client.post(f"/v1/organisations/{uscc}/grades/revoke",
                      json={"basis": "falsified_material", "reason": "评估材料弄虚作假"}, headers=STAFF)
    assert (await read(client, uscc))["grade"] is None
    await held(client, app, uscc)
    report = {"year": 2025, "activities": "全年开展志愿服务活动24场",
              "finance": {"total_income": "120000.00", "total_expenditure": "98000.50", "net_assets": "65000.00"},
              "party_building": {"has_party_organisation": True, "full_members": 3, "activities_held": 6}}
    submitted = await client.post(f"/v1/organisations/{uscc}/annual-reports", json=report,
                                  headers={"x-yishe-role": "org", "x-yishe-actor": uscc})
    assert submitted.status_code == 201, submitted.text
    reviewed = await client.post(f"/v1/organisations/{uscc}/annual-reports/2025/review", headers=STAFF,
                                 json={"result": "基本合格", "opinion": "账目需规范"})
    assert reviewed.status_code == 200, reviewed.text
    await read(client, uscc)  # whatever the registry view carries of it, the stored view is the live one


async def test_an_import_that_updates_a_record_shows_on_the_next_read(client, app) -> None:
    uscc = make_uscc(category="1", division_code="330302", body8="LG" + encode_sequence(77, 6))
    header = ("统一社会信用代码,名称,类型,登记管理机关区划代码,住所,法定代表人,业务范围,业务主管单位,状态,"
              "成立登记日期,活动资金")
    row = f"{uscc},温州市鹿城区读模型书画协会,社会团体,330302,温州市鹿城区,张一,书画交流,,正常,2012-05-01,30000"
    url = "/v1/exchange/imports?format=csv&source=legacy"
    first = await client.post(url, content=("\ufeff" + header + "\n" + row + "\n").encode(), headers=STAFF)
    assert first.json()["created"] == 1, first.text
    await held(client, app, uscc)
    moved = row.replace("温州市鹿城区,张一", "温州市鹿城区新址,张一")
    again = await client.post(url, content=("\ufeff" + header + "\n" + moved + "\n").encode(), headers=STAFF)
    assert again.json()["updated"] == 1, again.text
    assert (await read(client, uscc))["address"] == "温州市鹿城区新址"
