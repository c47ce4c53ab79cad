"""AUTH-2 on every read (issue 12): every list, search, export and feed endpoint of the cultivation service's OpenAPI,
walked with each scoped account (district, township, supervisory unit, Party-building body, the organisation itself)
against community organisations seeded in three divisions (one in a township of 330302), with activities (PLAT-5) and
first-time grade rewards (EVAL-10), shows nothing outside the caller's scope."""

from __future__ import annotations

import pytest
from cultivation_factories import STAFF, add_org, grade, graded, org_headers, registered

from yishe_kit.testing import scope_leaks, scoped_accounts

SEEDS = (("330302", "330302001"), ("330302", "330302002"), ("330303", "330303001"), ("330304", "330304001"))


def accounts(own: str) -> dict:
    return scoped_accounts(own, STAFF)


@pytest.fixture
async def seeded(app, client) -> dict[str, str]:
    """USCC → its township code (the finest division it is under)."""
    seeded: dict[str, str] = {}
    for division, township in SEEDS:
        uscc = await add_org(app, registered(division=division, community_class="成熟型"), township=township)
        seeded[uscc] = township
        for day in ("2026-03-01", "2026-06-01", "2026-09-01"):
            resp = await client.post("/v1/activities", headers=org_headers(uscc), json={
                "uscc": uscc, "activity_date": day, "kind": "volunteer", "participants": 20, "residents": 10})
            assert resp.status_code == 201, resp.text
        await grade(app, graded(uscc, "3A"))
        platform = await client.post("/v1/platforms", headers={**STAFF, "x-yishe-division": "3303"}, json={
            "township_code": township, "name": "社会组织服务中心", "physical_operation": False})
        assert platform.status_code == 201, platform.text  # a record keyed by its township only
    return seeded


@pytest.mark.parametrize("account", ["district staff", "township staff", "supervisory unit", "party",
                                     "the organisation"])
async def test_no_list_shows_a_record_outside_the_callers_scope(client, app, seeded, account) -> None:
    """AUTH-2: generated from the OpenAPI, so a new list endpoint is walked too."""
    own = next(iter(seeded))
    headers, may_see = accounts(own)[account]
    assert await scope_leaks(client, app, headers, may_see, seeded) == []


async def test_the_walk_sees_the_seeds_as_whole_city_staff(client, app, seeded) -> None:
    """Else the matrix proves nothing."""
    leaks = await scope_leaks(client, app, STAFF, lambda u, d: False, seeded)
    for path in ("/v1/activities", "/v1/community-organisations", "/v1/rewards"):
        assert any(x.startswith(f"GET {path}: ") for x in leaks), (path, leaks)


async def test_the_walk_sees_records_keyed_by_a_division_only(client, app, seeded) -> None:
    """AUTH-2: platforms carry a township code and no organisation of the seeds; the walk judges them by it."""
    leaks = await scope_leaks(client, app, STAFF, lambda u, d: False, seeded)
    assert {x.split("township_code=")[1] for x in leaks if x.startswith("GET /v1/platforms: ")} == {
        t for _, t in SEEDS}, leaks
