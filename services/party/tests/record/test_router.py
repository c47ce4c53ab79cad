from __future__ import annotations

from party_factories import PARTY, STAFF, establish, open_record, outbox_events, registered

from yishe_kit.testing import running_client
from yishe_party.config import LocalityAffiliation, ResponsibleBody, Settings
from yishe_party.main import create_app


async def test_counts_correction_reevaluates_route_when_party_corrects(client, app) -> None:
    event = registered(2)
    await open_record(app, event)
    response = await client.put(f"/v1/records/{event.uscc}/member-counts", headers=PARTY, json={
        "full_members": 0, "probationary_members": 0, "effective_on": "2026-12-01", "reason": "核实无党员"})
    assert response.status_code == 200 and response.json()["route"] == "instructor"
    assert response.json()["formation_task"]["due"] == "2027-03-01"  # formation_days (90) after the change
    [changed] = await outbox_events(app, "party.route.changed.v1", event.uscc)
    assert (changed["from_route"], changed["to_route"], changed["route_rule"]) == ("joint_branch", "instructor",
                                                                                    "PARTY-3")
    history = (await client.get(f"/v1/records/{event.uscc}/count-history", headers=STAFF)).json()
    assert [(h["reason"], h["full_members"]) for h in history] == [("registration", 2), ("counts_corrected", 0)]


async def test_counts_correction_refused_when_role_is_staff(client, app) -> None:
    event = registered(2)
    await open_record(app, event)
    response = await client.put(f"/v1/records/{event.uscc}/member-counts", headers=STAFF, json={
        "full_members": 5, "probationary_members": 0, "reason": "更正"})
    assert response.status_code == 403
    assert (await client.get(f"/v1/records/{event.uscc}", headers=STAFF)).json()["full_members"] == 2


async def test_capture_task_closes_when_confirmed_without_members(client, app) -> None:
    event = registered(0)
    await open_record(app, event)
    assert (await client.get(f"/v1/records/{event.uscc}")).json()["capture_task_status"] == "open"
    response = await client.post(f"/v1/records/{event.uscc}/capture-confirmation", headers=PARTY,
                                 json={"confirmed_on": "2026-11-30"})
    assert response.status_code == 200 and response.json()["capture_task_status"] == "done"


async def test_affiliation_follows_kind_and_party_org_when_resolved(client, app) -> None:
    direct, supervised, chamber = registered(3), registered(0, supervisory_unit="温州市教育局"), registered(
        0, name="温州市鹿城区服装商会")
    for e in (direct, supervised, chamber):
        await open_record(app, e)

    async def kind(uscc: str) -> str:
        return (await client.get(f"/v1/records/{uscc}/affiliation")).json()["type"]

    assert await kind(supervised.uscc) == "supervisory_unit"
    assert (await client.get(f"/v1/records/{supervised.uscc}/affiliation")).json()[
        "responsible_party_org_name"] == "温州市教育局党组织（分级管理）"
    assert await kind(chamber.uscc) == "trade_association"
    assert await kind(direct.uscc) == "direct_without_party_org"
    await establish(client, [direct.uscc])
    assert await kind(direct.uscc) == "direct_with_party_org"
    profile = await client.patch(f"/v1/records/{direct.uscc}/profile", headers=PARTY, json={"community": True})
    assert profile.json()["affiliation"]["type"] == "community"


async def test_affiliation_uses_locality_configuration_when_division_matches(migrated, nats_server) -> None:
    xuecheng = LocalityAffiliation(label="薛城模式", direct_with_party_org=ResponsibleBody(
        id="{division}:comprehensive", name="社会组织综合党委"), community=ResponsibleBody(
        id="{division}:town", name="镇街党委"))
    settings = Settings(db={"url": migrated("party").fresh_url()}, nats={"url": nats_server.url},
                        relay={"enabled": False}, affiliation={"370403": xuecheng})
    app = create_app(settings)
    async for client in running_client(app):
        local, elsewhere = registered(0, division="370403", name="薛城区某社区服务社"), registered(
            0, name="鹿城区某社区服务社")
        await open_record(app, local)
        await open_record(app, elsewhere)
        found = (await client.get(f"/v1/records/{local.uscc}/affiliation")).json()
        assert (found["type"], found["responsible_party_org_name"]) == ("community", "镇街党委")
        assert found["locality"].endswith("薛城模式")
        other = (await client.get(f"/v1/records/{elsewhere.uscc}/affiliation")).json()
        assert other["responsible_party_org_name"] == "社区（村）党组织"


async def test_malformed_uscc_refused_with_rule_when_record_read(client) -> None:
    response = await client.get("/v1/records/51330302MJ0000011Y")
    assert response.status_code == 400 and response.json()["errors"][0]["rule"] in {"USCC-5", "USCC-6"}
