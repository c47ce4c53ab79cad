"""One set of rules, two paths (issue 12): direct registration (`POST /v1/organisations`) applies the name rules of a
reservation (REG-6, REG-7, REG-8 一业一会, similar names) and the conditions of an application (REG-1, REG-2, REG-3,
REG-4, REG-5, REG-8, REG-12), from the same functions; every refusal names its field and rule and writes nothing."""

from __future__ import annotations

import pytest
from registry_factories import STAFF, direct, reserve, unique_id_number
from sqlalchemy import func, select

from yishe_registry.organisation.models import Organisation


async def refused(client, body: dict, status: int = 400) -> set[tuple[str, str]]:
    resp = await client.post("/v1/organisations", json=body, headers=STAFF)
    assert resp.status_code == status, resp.text
    assert resp.headers["content-type"].startswith("application/problem+json")
    return {(e["field"], e["rule"]) for e in resp.json()["errors"]}


async def registered(client, body: dict) -> dict:
    resp = await client.post("/v1/organisations", json=body, headers=STAFF)
    assert resp.status_code == 201, resp.text
    return resp.json()


async def count(app) -> int:
    async with app.state.sessionmaker() as s:
        return int(await s.scalar(select(func.count()).select_from(Organisation)) or 0)


@pytest.mark.parametrize("name", [
    "温州市鹿城区😀志愿服务协会",  # emoji
    "温州市鹿城区志愿\x00服务协会",  # NUL
    "温州市鹿城区\u202e会协务服愿志",  # right-to-left override
    "温州市鹿城区'; DROP TABLE organisation;--协会",  # SQL text
    "ABC123",
    "温州市鹿城区ABC志愿协会",  # Latin letters
])
async def test_name_refused_under_reg6_like_a_reservation(client, app, name) -> None:
    """REG-6: standard Chinese characters only (the reservation's validator), 400 naming `name`; nothing written."""
    assert ("name", "REG-6") in await refused(client, direct(name))
    assert await count(app) == 0


async def test_name_shape_refused_under_reg6(client) -> None:
    """REG-6: a local name starts with its division's name, ends with its form, and may not use 中国/全国/中华."""
    assert ("name", "REG-6") in await refused(client, direct("瑞安市青年志愿服务协会"))  # division 330302
    assert ("name", "REG-6") in await refused(client, direct("温州市鹿城区青年志愿服务"))  # no form
    assert ("name", "REG-6") in await refused(client, direct("温州市鹿城区中华文化协会"))


async def test_community_name_needs_its_township_under_reg7(client) -> None:
    """REG-7: a community organisation's name carries its township (街道) after the division."""
    body = direct("温州市鹿城区邻里互助会", community_class="成熟型", individual_members=12, township="五马街道")
    assert ("name", "REG-7") in await refused(client, body)
    ok = direct("温州市鹿城区五马街道邻里互助会", community_class="成熟型", individual_members=12, township="五马街道",
                category=None)
    assert (await registered(client, ok))["community_class"] == "成熟型"


async def test_second_group_with_the_same_legal_representative_refused_under_reg2(client, app) -> None:
    """REG-2: a social group's legal representative may not be legal representative of another group."""
    person = {"name": "张三", "id_number": unique_id_number(), "phone": "13800138000"}
    await registered(client, direct("温州市鹿城区青年志愿服务协会", legal_representative=person))
    assert await refused(client, direct("温州市鹿城区围棋爱好者协会", legal_representative=person), 409) == {
        ("legal_representative.id_number", "REG-2")}
    assert await count(app) == 1
    # REG-3 sets no such limit for a private non-enterprise unit
    await registered(client, direct("温州市鹿城区春晖康复服务中心", "民办非企业单位", legal_representative=person))
    # REG-4: a foundation's chair represents no other organisation at all
    assert ("legal_representative.id_number", "REG-4") in await refused(
        client, direct("温州市鹿城区春晖慈善救助基金会", "基金会", legal_representative=person), 409)


async def test_group_without_the_representatives_id_number_refused_under_reg2(client) -> None:
    """REG-2 cannot be checked without the ID number: required for social groups (and foundations, REG-4)."""
    body = direct(legal_representative={"name": "张三", "phone": "13800138000"})
    assert ("legal_representative.id_number", "REG-2") in await refused(client, body)


async def test_supervisory_unit_required_outside_the_four_categories_under_reg8(client) -> None:
    """REG-8: only 行业协会商会, 科技类, 公益慈善类, 城乡社区服务类 register without a supervisory unit."""
    assert await refused(client, direct(category=None)) == {("supervisory_unit", "REG-8")}
    assert (await registered(client, direct(category=None, supervisory_unit="温州市鹿城区文化和广电旅游体育局"))
            )["supervisory_unit"] == "温州市鹿城区文化和广电旅游体育局"
    assert (await registered(client, direct(category="科技类")))["category"] == "科技类"


async def test_one_trade_one_association_under_reg8(client) -> None:
    """REG-8 一业一会: a second industry association of the same sector in the division is a 409."""
    trade = {"category": "行业协会商会", "sector": "眼镜", "unit_members": 40, "individual_members": 0}
    await registered(client, direct("温州市鹿城区眼镜行业协会", **trade))
    assert await refused(client, direct("温州市鹿城区眼镜商会", **trade), 409) == {("sector", "REG-8")}
    assert ("sector", "REG-8") in await refused(client, direct("温州市鹿城区鞋业协会", category="行业协会商会"))


async def test_similar_name_needs_acknowledging(client) -> None:
    """REG-2 Art 13 / REG-6: a name like one in the division is refused unless staff acknowledge it."""
    await registered(client, direct("温州市鹿城区青年志愿服务协会"))
    assert await refused(client, direct("温州市鹿城区青年志愿服务联合会", acknowledge_similar=False), 409) == {
        ("name", "REG-2")}


@pytest.mark.parametrize(("org_type", "overrides", "expected"), [
    ("社会团体", {"individual_members": 49}, ("individual_members", "REG-1")),
    ("社会团体", {"individual_members": 0, "unit_members": 29}, ("individual_members", "REG-1")),
    ("社会团体", {"individual_members": 20, "unit_members": 20}, ("individual_members", "REG-1")),
    ("社会团体", {"activity_funds": "29999.99"}, ("activity_funds", "REG-1")),
    ("民办非企业单位", {"activity_funds": "1000.00"}, ("activity_funds", "REG-3")),
    ("基金会", {"activity_funds": "1999999.00"}, ("activity_funds", "REG-4")),
    ("基金会", {"public_fundraising": True, "activity_funds": "3000000.00"}, ("activity_funds", "REG-4")),
    ("基金会", {"directors": 4}, ("directors", "REG-4")),
    ("基金会", {"directors": None}, ("directors", "REG-4")),
    ("基金会", {"community_development_foundation": True, "activity_funds": "400000.00"},
     ("activity_funds", "REG-5")),
    ("社会团体", {"community_development_foundation": True}, ("community_development_foundation", "REG-5")),
    ("社会团体", {"community_class": "初创型", "township": "五马街道"}, ("community_class", "REG-12")),
])
async def test_kind_conditions_refused_as_on_an_application(client, org_type, overrides, expected) -> None:
    """REG-1/REG-3/REG-4/REG-5/REG-12 on direct registration, with the figures it now takes."""
    assert expected in await refused(client, direct(org_type=org_type, **overrides))


async def test_kind_figures_are_required_and_bounded(client) -> None:
    """The figures the conditions need are part of the request, validated like the application's (422 names them)."""
    body = direct()
    del body["activity_funds"]
    resp = await client.post("/v1/organisations", json=body, headers=STAFF)
    assert resp.status_code == 422 and "activity_funds" in resp.text
    resp = await client.post("/v1/organisations", json=direct(individual_members=-1), headers=STAFF)
    assert resp.status_code == 422 and "individual_members" in resp.text


async def test_same_facts_same_verdict_on_both_paths(client) -> None:
    """One implementation: the application's dry run and direct registration refuse the same kind facts with the
    same rule ids."""
    facts = {"category": None, "individual_members": 10, "activity_funds": "100.00"}
    direct_rules = await refused(client, direct(**facts))
    res = await reserve(client)
    from registry_factories import application

    check = await client.post("/v1/applications/check", json=application(res["reservation_id"], **facts),
                              headers=STAFF)
    app_rules = {(p["field"], p["rule"]) for p in check.json()["problems"]}
    kind = {("supervisory_unit", "REG-8"), ("individual_members", "REG-1"), ("activity_funds", "REG-1")}
    assert kind <= direct_rules and kind <= app_rules
