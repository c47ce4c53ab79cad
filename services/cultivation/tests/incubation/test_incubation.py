from __future__ import annotations

import pytest
from cultivation_factories import CITY_STAFF, OUYAN_STAFF, add_filing, add_org, filed, registered

from yishe_cultivation.config import Settings

pytestmark = pytest.mark.nats


async def test_four_levels_party_centre_entry_and_exit(app, client) -> None:
    """PARTY-4: the four-level system with each base's Party-mass service centre; 入驻 and 出壳 with dates and
    reasons; one open stay per base; an exit before entry or in the future is refused."""
    levels = (await client.get("/v1/incubation/levels")).json()
    assert [lv["label"] for lv in levels["levels"]] == ["市级社会组织孵化园", "县级社会组织孵化园",
                                                       "乡镇（街道）社会工作站", "村（社区）服务空间"]
    bad = await client.post("/v1/incubation/bases", headers=CITY_STAFF, json={
        "level": "province_base", "name": "省级基地", "division_code": "3303"})
    assert bad.status_code == 400 and bad.json()["errors"][0]["rule"] == "PARTY-4"
    base = (await client.post("/v1/incubation/bases", headers=CITY_STAFF, json={
        "level": "county_park", "name": "鹿城区社会组织孵化园", "division_code": "330302", "opened_on": "2024-05-01",
        "party_centre_name": "鹿城区社会组织党群服务中心", "party_centre_established_on": "2024-05-01"})).json()
    assert base["level_label"] == "县级社会组织孵化园" and base["party_centre_name"] == "鹿城区社会组织党群服务中心"
    uscc = await add_org(app, registered())
    no = await add_filing(app, filed())
    url = f"/v1/incubation/bases/{base['base_id']}/residents"
    entered = await client.post(url, headers=CITY_STAFF, json={
        "uscc": uscc, "entered_on": "2025-03-01", "entry_reason": "成长性高的助老服务组织", "party_incubated": True})
    assert entered.status_code == 201, entered.text
    twice = await client.post(url, headers=CITY_STAFF, json={"uscc": uscc, "entered_on": "2025-04-01",
                                                             "entry_reason": "再次"})
    assert twice.status_code == 409 and twice.json()["errors"][0]["rule"] == "PARTY-4"
    team = await client.post(url, headers=CITY_STAFF, json={"filing_no": no, "entered_on": "2025-06-01",
                                                            "entry_reason": "品牌项目团队"})
    assert team.status_code == 201
    rid = entered.json()["residency_id"]
    early = await client.post(f"/v1/incubation/residencies/{rid}/exit", headers=CITY_STAFF, json={
        "exited_on": "2025-02-01", "exit_reason": "x"})
    assert early.status_code == 400 and early.json()["errors"][0]["field"] == "exited_on"
    done = await client.post(f"/v1/incubation/residencies/{rid}/exit", headers=CITY_STAFF, json={
        "exited_on": "2026-06-30", "exit_reason": "能力成熟，独立运作", "exit_kind": "graduated"})
    assert done.json()["exit_kind"] == "graduated"
    [listed] = (await client.get("/v1/incubation/bases", headers=CITY_STAFF)).json()
    assert (listed["residents_now"], listed["graduated"]) == (1, 1)
    assert (await client.get("/v1/incubation/bases", headers=OUYAN_STAFF)).json() == []
    assert (await client.get(url, headers=OUYAN_STAFF)).status_code == 403
    facts = (await client.get(f"/v1/facts/{uscc}", headers={"x-yishe-role": "internal"})).json()
    assert facts["incubation"][0]["exit_kind"] == "graduated"


async def test_sichuan_profile_has_five_levels(migrated, nats_server) -> None:
    """PARTY-4 / seed 001: Sichuan's five-level incubation system when its profile is chosen."""
    from yishe_cultivation.main import create_app
    from yishe_kit.testing import running_client

    app = create_app(Settings(db={"url": migrated("cultivation").fresh_url()}, nats={"url": nats_server.url},
                              incubation={"profile": "sichuan"}))
    async for client in running_client(app):
        levels = (await client.get("/v1/incubation/levels")).json()["levels"]
        assert len(levels) == 5 and levels[0]["code"] == "province_base"
