"""AUTH-2 on every read (issue 12): every list, search, export and feed endpoint of the party service's OpenAPI,
walked with each scoped account (district, township, supervisory unit, Party-building body, the organisation
itself) against organisations seeded in three divisions, with and without a Party organisation (PARTY-1, PARTY-3),
shows nothing outside the caller's scope. (Found clean: party's lists already narrow by `listing_prefix`.)"""

from __future__ import annotations

import pytest
from party_factories import PARTY, STAFF, add_talent, establish, open_record, registered

from yishe_kit.testing import scope_leaks, scoped_accounts

DIVISIONS = ("330302", "330303", "330304")


def accounts(own: str) -> dict:
    return {**scoped_accounts(own, STAFF),
            "party": ({**PARTY, "x-yishe-division": "330303"}, lambda u, d: d.startswith("330303"))}


@pytest.fixture
async def seeded(app, client) -> dict[str, str]:
    seeded: dict[str, str] = {}
    for division in DIVISIONS:
        own, uncovered = registered(3, division=division), registered(0, division=division)
        for event in (own, uncovered):
            await open_record(app, event)
            seeded[event.uscc] = division
        await establish(client, [own.uscc])
        await add_talent(client, division=division)  # a record keyed by its division only
    return seeded


@pytest.mark.parametrize("account", ["district staff", "township staff", "supervisory unit", "party",
                                     "the organisation"])
async def test_no_list_shows_a_record_outside_the_callers_scope(client, app, seeded, account) -> None:
    """AUTH-2: generated from the OpenAPI, so a new list endpoint is walked too."""
    own = next(iter(seeded))
    headers, may_see = accounts(own)[account]
    assert await scope_leaks(client, app, headers, may_see, seeded) == []


async def test_the_walk_sees_the_seeds_as_the_city_party_body(client, app, seeded) -> None:
    """Else the matrix proves nothing."""
    leaks = await scope_leaks(client, app, PARTY, lambda u, d: False, seeded)
    assert {u for u in seeded if any(x.startswith("GET /v1/party-organisations: ") and u in x for x in leaks)} == {
        u for i, u in enumerate(seeded) if i % 2 == 0}, leaks


async def test_the_walk_sees_records_keyed_by_a_division_only(client, app, seeded) -> None:
    """AUTH-2: talents carry a division code and no USCC; the walk judges them by the division, so a talent of
    another district in a list would be a leak."""
    leaks = await scope_leaks(client, app, PARTY, lambda u, d: False, seeded)
    assert {x.split("division_code=")[1] for x in leaks if x.startswith("GET /v1/talents: ")} == set(DIVISIONS), leaks
