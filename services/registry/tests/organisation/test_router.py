from __future__ import annotations

import asyncio
from datetime import datetime, timedelta

from registry_factories import INTERNAL, STAFF, direct, han_number
from sqlalchemy import select

from yishe_contracts.envelope import Envelope
from yishe_contracts.identifiers import validate_social_org_uscc


def registration(name: str = "温州市鹿城区青年志愿者协会", **overrides) -> dict:
    """A valid direct registration; its legal representative's ID number is unique unless given (REG-2)."""
    return direct(name, **overrides)


async def test_register_issues_conformant_uscc_and_writes_outbox_when_valid(client, app) -> None:
    resp = await client.post("/v1/organisations", json=registration(), headers=STAFF)
    assert resp.status_code == 201, resp.text
    org = resp.json()
    assert validate_social_org_uscc(org["uscc"]) == []
    assert org["uscc"][:8] == "51330302"
    outbox = app.state.outbox.table
    async with app.state.sessionmaker() as s:
        rows = (await s.execute(select(outbox.c.subject, outbox.c.payload))).all()
    assert [r.subject for r in rows] == ["registry.organisation.registered.v1"]
    env = Envelope.model_validate_json(rows[0].payload)
    assert env.subject == org["uscc"] and env.data["party_full_members"] == 2


async def test_register_403_and_nothing_written_when_role_or_jurisdiction_wrong(client, app) -> None:
    """AUTH-1: only the bureau (staff) or an internal system registers directly; AUTH-2: staff within their prefix."""
    for headers, rule in (({}, "AUTH-1"), ({"x-yishe-role": "org", "x-yishe-actor": "51330302MJ0000018X"}, "AUTH-1"),
                          ({"x-yishe-role": "supervisor", "x-yishe-actor": "sup-1"}, "AUTH-1"),
                          ({**STAFF, "x-yishe-division": "330303"}, "AUTH-2"),
                          ({**STAFF, "x-yishe-division": "330302001"}, "AUTH-2")):
        resp = await client.post("/v1/organisations", json=registration(), headers=headers)
        assert resp.status_code == 403, (headers, resp.text)
        assert resp.json()["errors"][0]["rule"] == rule
    async with app.state.sessionmaker() as s:
        assert (await s.execute(select(app.state.outbox.table))).first() is None
    lucheng = await client.post("/v1/organisations", json=registration(), headers={**STAFF, "x-yishe-division": "3303"})
    assert lucheng.status_code == 201, lucheng.text
    system = await client.post("/v1/organisations", json=registration(name="温州市鹿城区内部导入协会"),
                               headers=INTERNAL)
    assert system.status_code == 201, system.text


async def test_register_gives_distinct_codes_when_many(client) -> None:
    codes = set()
    for i in range(5):
        resp = await client.post("/v1/organisations", json=registration(name=f"温州市鹿城区第{han_number(i)}公益协会"),
                                 headers=STAFF)
        assert resp.status_code == 201, resp.text
        codes.add(resp.json()["uscc"])
    assert len(codes) == 5


async def test_register_refused_with_rules_and_nothing_written_when_invalid(client, app) -> None:
    body = registration(name="中华温州鹿城协会", division_code="33030A")
    body["legal_representative"]["id_number"] = "110105194912310021"
    resp = await client.post("/v1/organisations", json=body, headers=STAFF)
    assert resp.status_code == 400
    assert resp.headers["content-type"].startswith("application/problem+json")
    rules = {(e["field"], e["rule"]) for e in resp.json()["errors"]}
    assert ("division_code", "DIV-1") in rules
    assert ("name", "REG-6") in rules
    assert ("legal_representative.id_number", "ID-1") in rules
    assert "110105194912310021" not in resp.text
    async with app.state.sessionmaker() as s:
        assert (await s.execute(select(app.state.outbox.table))).first() is None


async def test_register_refused_409_when_name_taken_after_normalisation(client) -> None:
    assert (await client.post("/v1/organisations", json=registration(name="温州市鹿城区（同心）志愿协会"),
                              headers=STAFF)).status_code == 201
    resp = await client.post("/v1/organisations", json=registration(name="温州市 鹿城区(同心) 志愿协会"),
                             headers=STAFF)
    assert resp.status_code == 409
    assert resp.json()["errors"][0]["rule"] == "REG-6"


async def test_concurrent_same_name_exactly_one_wins(client) -> None:
    results = await asyncio.gather(*[
        client.post("/v1/organisations", json=registration(name="温州市鹿城区同名协会"), headers=STAFF)
        for _ in range(6)
    ])
    assert sorted(r.status_code for r in results) == [201] + [409] * 5


async def test_lookup_400_names_reason_when_code_malformed(client) -> None:
    resp = await client.get("/v1/organisations/51330300MJ8A2T0117")
    assert resp.status_code == 400
    assert resp.json()["errors"][0]["rule"] == "USCC-5"
    resp = await client.get("/v1/organisations/5133030")
    assert resp.status_code == 400 and resp.json()["errors"][0]["rule"] == "USCC-1"


async def test_lookup_404_when_code_valid_but_unknown(client) -> None:
    assert (await client.get("/v1/organisations/51330300MJ8A2T0116")).status_code == 404


async def test_public_sees_no_personal_data_but_staff_sees_it_masked(client) -> None:
    rep = {"name": "张三", "id_number": "11010519491231002X", "phone": "13800138000"}
    uscc = (await client.post("/v1/organisations", json=registration(legal_representative=rep),
                              headers=STAFF)).json()["uscc"]
    public = (await client.get(f"/v1/organisations/{uscc}")).json()
    assert datetime.fromisoformat(public["registered_at"]).utcoffset() == timedelta(0)  # UTC survives SQLite
    assert public["legal_representative"] == {"name": "张三", "id_number": None, "phone": None}
    assert public["party_full_members"] is None
    staff = (await client.get(f"/v1/organisations/{uscc}", headers={"x-yishe-role": "staff"})).json()
    assert staff["legal_representative"]["id_number"] == "110105********002X"
    assert staff["legal_representative"]["phone"] == "138****8000"
    assert staff["party_full_members"] == 2


async def test_history_records_registration_and_is_not_public(client) -> None:
    uscc = (await client.post("/v1/organisations", json=registration(),
                              headers={"x-yishe-role": "staff", "x-yishe-actor": "clerk-1"})).json()["uscc"]
    assert (await client.get(f"/v1/organisations/{uscc}/history")).status_code == 403
    hist = (await client.get(f"/v1/organisations/{uscc}/history", headers={"x-yishe-role": "staff"})).json()
    assert [(h["action"], h["actor"], h["actor_role"]) for h in hist] == [("registered", "clerk-1", "staff")]
