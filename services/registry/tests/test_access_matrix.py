"""AUTH-2 on every read (issue 12): every list, search, export and feed endpoint of the registry's OpenAPI, walked
with each scoped account against organisations seeded in two districts, shows nothing outside the caller's scope."""

from __future__ import annotations

import pytest
from registry_factories import STAFF

from yishe_contracts.identifiers import encode_sequence, make_uscc
from yishe_kit.testing import scope_leaks

HEADER = ("统一社会信用代码,名称,类型,登记管理机关区划代码,住所,法定代表人,业务范围,业务主管单位,状态,"
          "成立登记日期,活动资金")
LUCHENG = [make_uscc(category="1", division_code="330302", body8="AM" + encode_sequence(n, 6)) for n in (1, 2)]
LONGWAN = make_uscc(category="1", division_code="330303", body8="AM" + encode_sequence(3, 6))
SEEDED = {LUCHENG[0]: "330302", LUCHENG[1]: "330302", LONGWAN: "330303"}

ACCOUNTS = {
    "district staff": ({**STAFF, "x-yishe-division": "330302"}, lambda u, d: d.startswith("330302")),
    "township staff": ({**STAFF, "x-yishe-division": "330302001"}, lambda u, d: d.startswith("330302001")),
    "supervisory unit": ({"x-yishe-role": "supervisor", "x-yishe-actor": "longwan-sports", "x-yishe-division":
                          "330303"}, lambda u, d: d.startswith("330303")),
    "party": ({"x-yishe-role": "party", "x-yishe-actor": "longwan-party", "x-yishe-division": "330303"},
              lambda u, d: d.startswith("330303")),
    "the organisation": ({"x-yishe-role": "org", "x-yishe-actor": LUCHENG[0]}, lambda u, d: u == LUCHENG[0]),
}


@pytest.fixture
async def seeded(client, app) -> dict[str, str]:
    app.state.settings.feed_settle_seconds = 0
    rows = [f"{u},温州市{'鹿城' if d == '330302' else '龙湾'}区矩阵{i}号协会,社会团体,{d},温州市,张{i},公益服务,,"
            f"active,2013-01-0{i + 1},"
            for i, (u, d) in enumerate(SEEDED.items())]
    body = ("\ufeff" + "\n".join([HEADER, *rows]) + "\n").encode()
    report = (await client.post("/v1/exchange/imports?format=csv&source=matrix", content=body, headers=STAFF)).json()
    assert report["created"] == 3, report
    return SEEDED


@pytest.mark.parametrize("account", ACCOUNTS)
async def test_no_list_shows_a_record_outside_the_callers_scope(client, app, seeded, account) -> None:
    """AUTH-2: generated from the OpenAPI, so a new list endpoint is walked too."""
    headers, may_see = ACCOUNTS[account]
    assert await scope_leaks(client, app, headers, may_see, seeded) == []
    city = await scope_leaks(client, app, STAFF, lambda u, d: False, seeded)
    assert city, "the walk must see the seeded organisations as whole-city staff (else it proves nothing)"
