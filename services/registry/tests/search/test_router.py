from __future__ import annotations

from registry_factories import STAFF, direct


def org(name: str, division: str = "330302", org_type: str = "社会团体") -> dict:
    return direct(name, org_type, division_code=division)


async def _register(client, *names, division="330302"):
    out = []
    for n in names:
        resp = await client.post("/v1/organisations", json=org(n, division), headers=STAFF)
        assert resp.status_code == 201, resp.text
        out.append(resp.json()["uscc"])
    return out


async def test_name_substring_search_in_uscc_order_with_filters(client) -> None:
    a, b, _ = await _register(client, "温州市鹿城区青年志愿者协会", "温州市鹿城区老年志愿者协会",
                              "温州市鹿城区围棋协会")
    (c,) = await _register(client, "瑞安市青年志愿者协会", division="330381")
    found = (await client.get("/v1/search/organisations", params={"q": "志愿者"})).json()
    assert [o["uscc"] for o in found["items"]] == sorted([a, b, c]) and found["next_cursor"] is None
    local = (await client.get("/v1/search/organisations", params={"q": "青年志愿", "division": "3303"})).json()
    assert {o["uscc"] for o in local["items"]} == {a, c}
    only = (await client.get("/v1/search/organisations", params={"q": "青年志愿", "division": "330381"})).json()
    assert [o["uscc"] for o in only["items"]] == [c]


async def test_one_and_two_character_queries_fall_back_when_short(client) -> None:
    a, b = await _register(client, "温州市鹿城区围棋协会", "温州市鹿城区象棋协会")
    assert {o["uscc"] for o in (await client.get("/v1/search/organisations", params={"q": "棋"})).json()["items"]} \
        == {a, b}
    assert [o["uscc"] for o in (await client.get("/v1/search/organisations", params={"q": "围棋"})).json()["items"]] \
        == [a]


async def test_search_normalises_query_width_and_spaces(client) -> None:
    (a,) = await _register(client, "温州市鹿城区青年志愿者协会")
    items = (await client.get("/v1/search/organisations", params={"q": "青年 志愿"})).json()["items"]
    assert [o["uscc"] for o in items] == [a]


async def test_pages_are_stable_and_complete_when_paginated(client) -> None:
    usccs = await _register(client, *[f"温州市鹿城区{c}{d}文化协会" for c in "春夏秋" for d in "梅兰竹"])
    seen, cursor = [], None
    while True:
        params = {"q": "文化", "limit": 4, **({"cursor": cursor} if cursor else {})}
        page = (await client.get("/v1/search/organisations", params=params)).json()
        seen += [o["uscc"] for o in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == sorted(usccs)


async def test_filter_by_status_grade_and_uscc(client) -> None:
    (a,) = await _register(client, "温州市鹿城区青年志愿者协会")
    assert [o["uscc"] for o in (await client.get("/v1/search/organisations", params={"uscc": a})).json()["items"]] \
        == [a]
    assert (await client.get("/v1/search/organisations", params={"status": "deregistered"})).json()["items"] == []
    assert (await client.get("/v1/search/organisations", params={"grade": "5A"})).json()["items"] == []


async def test_bad_filters_refused_with_rule(client) -> None:
    resp = await client.get("/v1/search/organisations", params={"division": "33AB"})
    assert resp.status_code == 400 and resp.json()["errors"][0]["rule"] == "DIV-1"
    resp = await client.get("/v1/search/organisations", params={"uscc": "51330300MJ8A2T0117"})
    assert resp.status_code == 400 and resp.json()["errors"][0]["rule"] == "USCC-5"


async def test_a_match_is_a_substring_not_scattered_bigrams(client) -> None:
    # Every bigram of "甲乙丙" occurs in the second name, but not next to each other: no match.
    a, _ = await _register(client, "温州市鹿城区甲乙丙研究会", "温州市鹿城区甲乙文乙丙研究会")
    items = (await client.get("/v1/search/organisations", params={"q": "甲乙丙"})).json()["items"]
    assert [o["uscc"] for o in items] == [a]


async def test_dense_and_selective_name_parts_give_the_same_pages(client, monkeypatch) -> None:
    from yishe_registry.search import repository

    await _register(client, *[f"温州市鹿城区{c}{d}书画协会" for c in "东南西北" for d in "春夏秋"])
    await _register(client, "温州市鹿城区摄影协会")

    async def pages(q: str) -> list[str]:
        seen, cursor = [], None
        while True:
            params = {"q": q, "limit": 5, "status": "active", **({"cursor": cursor} if cursor else {})}
            page = (await client.get("/v1/search/organisations", params=params)).json()
            seen += [o["uscc"] for o in page["items"]]
            if not (cursor := page["next_cursor"]):
                return seen

    selective = await pages("书画")
    monkeypatch.setattr(repository, "SELECTIVE_CAP", 3)  # 12 matches are now "dense": the USCC-order walk
    dense = await pages("书画")
    assert len(selective) == 12 and dense == selective == sorted(selective)


async def test_a_rename_leaves_no_stale_entry_in_the_sqlite_index(client, app) -> None:
    from sqlalchemy import text

    from yishe_registry.search.repository import uses_fts

    (a,) = await _register(client, "温州市鹿城区旧名字协会")
    resp = await client.post(f"/v1/organisations/{a}/changes", headers=STAFF,
                             json={"name": "温州市鹿城区新名号协会", "reason": "更名"})
    assert resp.status_code == 200, resp.text
    async with app.state.sessionmaker() as session:
        if not uses_fts(session):
            return  # PostgreSQL searches the organisation table itself: no separate index to go stale
        entries = (await session.execute(text("SELECT grams FROM name_fts WHERE uscc = :u"), {"u": a})).scalars().all()
    from yishe_registry.search.models import document

    assert entries == [document("温州市鹿城区新名号协会")]
