"""AUTH-2 on every read (issue 12): every list, search, export and feed endpoint of procurement's OpenAPI, walked
with each scoped account (district, township, supervisory unit, Party-building body, purchaser, the organisation
itself) against contracts, refused bids, overdue follow-ups (PLAT-1) and overdue disclosures (PROC-12) seeded in three
divisions, shows nothing outside the caller's scope (published projects, contracts and OCDS releases are public: not
a leak). Asking for another division by query parameter is refused, not answered."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from procurement_fixtures.factories import (
    AWARD_DAY,
    SIGN_DAY,
    a_uscc,
    abnormal_listing,
    bid,
    catalogue,
    contract_body,
    opened,
    published_project,
    purchaser,
    registered,
    score_all,
    staff,
)

from yishe_kit.testing import scope_leaks, scoped_accounts
from yishe_procurement.bidder import service as bidder_service

DIVISIONS = ("330302", "330303", "330304")


async def _org(app, division: str, listed: bool = False) -> str:
    uscc = a_uscc(division=division)
    async with app.state.sessionmaker() as session, session.begin():
        at = datetime.now(UTC)
        await bidder_service.record_registration(session, registered(uscc).model_copy(
            update={"division_code": division}), at)
        await bidder_service.record_credit_profile(session, opened(uscc), at)
        if listed:
            await bidder_service.record_listing(session, abnormal_listing(uscc), at)
    return uscc


def accounts(own: str) -> dict:
    return {**scoped_accounts(own, staff()),
            "district purchaser": (purchaser("330304"), lambda u, d: d.startswith("330304"))}


@pytest.fixture
async def seeded(app, client, clock) -> dict[str, str]:
    """Per division: a contract with its winner (follow-ups and disclosures fall overdue by 2027-09-10) and a bid
    refused under PROC-4 (the bidder is on the abnormal list)."""
    seeded: dict[str, str] = {}
    for division in DIVISIONS:
        await catalogue(client, division=division)
        project = await published_project(client, clock, division_code=division)
        pid = project["project_id"]
        winner, refused = await _org(app, division), await _org(app, division, listed=True)
        seeded[winner] = seeded[refused] = division
        won = await bid(client, clock, pid, winner)
        no = await client.post(f"/v1/projects/{pid}/bids", headers={"x-yishe-role": "org", "x-yishe-actor": refused},
                               json={"uscc": refused, "amount": "380000.00", "proposal": "组建专业社工团队提供服务"})
        assert no.status_code == 400, no.text
        await score_all(client, clock, pid, {won["bid_id"]: ["88", "90", "86"]})
        clock.fixed = AWARD_DAY
        assert (await client.post(f"/v1/projects/{pid}/award", json={}, headers=purchaser())).status_code == 201
        clock.fixed = SIGN_DAY
        signed = await client.post(f"/v1/projects/{pid}/contract", json=contract_body(), headers=purchaser())
        assert signed.status_code == 201, signed.text
    clock.fixed = date(2027, 9, 10)
    return seeded


@pytest.mark.parametrize("account", ["district staff", "township staff", "supervisory unit", "party",
                                     "district purchaser", "the organisation"])
async def test_no_list_shows_a_record_outside_the_callers_scope(client, app, seeded, account) -> None:
    """AUTH-2: generated from the OpenAPI, so a new list endpoint is walked too."""
    own = next(iter(seeded))
    headers, may_see = accounts(own)[account]
    assert await scope_leaks(client, app, headers, may_see, seeded) == []


async def test_the_walk_sees_the_seeds_as_whole_city_staff(client, app, seeded) -> None:
    """Else the matrix proves nothing."""
    leaks = await scope_leaks(client, app, staff(), lambda u, d: False, seeded)
    for path in ("/v1/refused-bids", "/v1/disclosures/overdue"):
        assert any(x.startswith(f"GET {path}: ") for x in leaks), (path, leaks)


async def test_another_division_asked_by_parameter_is_refused(client, seeded, clock) -> None:
    """AUTH-2: `?division_code=` narrows a caller's jurisdiction, never widens it (planned projects of another
    district and its purchase shares were answered before)."""
    clock.fixed = date(2026, 11, 25)
    planned = await client.post("/v1/projects", headers=purchaser(), json={
        **(await _project_body()), "division_code": "330303"})
    assert planned.status_code == 201, planned.text
    lucheng = purchaser("330302")
    for path in ("/v1/projects?division_code=330303", "/v1/reports/shares?division_code=330303"):
        resp = await client.get(path, headers=lucheng)
        assert resp.status_code == 403 and resp.json()["errors"][0]["rule"] == "AUTH-2", (path, resp.text)
    for wider in ("33", "3303", ""):  # a wider division is narrowed to the caller's own
        mine = (await client.get(f"/v1/projects?division_code={wider}", headers=lucheng)).json()
        assert mine and {p["division_code"] for p in mine} == {"330302"}, wider
    # the public filters published projects by any division
    public = await client.get("/v1/projects?division_code=330303")
    assert public.status_code == 200
    assert planned.json()["project_id"] not in {p["project_id"] for p in public.json()}


async def _project_body() -> dict:
    from procurement_fixtures.factories import project_body

    return project_body()
