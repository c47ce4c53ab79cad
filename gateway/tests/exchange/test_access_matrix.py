"""AUTH-2 on the gateway's own reads (issue 12): every GET operation of the gateway's OpenAPI without path
parameters (the change feed, webhooks, audit, clients, …), walked with bearer tokens of each scoped account (district,
township, supervisory unit, Party-building body, purchaser, the organisation itself) against organisations registered
in three districts and community filings with two townships, shows nothing outside the caller's scope. The walker
(`yishe_kit.testing.scope_leaks`) also judges records keyed by a division only (a filing: its township code)."""

from __future__ import annotations

import uuid

import pytest

from yishe_contracts.events.registry import FilingChanged
from yishe_kit.clock import today as business_today
from yishe_kit.testing import eventually, scope_leaks

pytestmark = pytest.mark.nats

DISTRICTS = ("330302", "330303", "330304")
TOWNSHIPS = ("330302001", "330302002")


def _filing(township: str) -> FilingChanged:
    return FilingChanged(filing_no=f"BA{township}{uuid.uuid4().int % 10**5:05d}", name="鹿城区五马街道墨池社区广场舞队",
                         community_class="初创型", division_code=township[:6], township_code=township, status="filed",
                         uscc=None, changed_on=business_today())


@pytest.fixture
async def seeded(events_gateway, auth, publish, registered, make_uscc) -> dict[str, str]:
    """USCC → district of the organisations registered; the filings (no USCC) are in the feed beside them."""
    app, client = events_gateway
    seeded = {make_uscc(d): d for d in DISTRICTS}
    ids = {(await publish(registered(u))).id for u in seeded} | {(await publish(_filing(t))).id for t in TOWNSHIPS}
    internal = auth.bearer(await auth.token(app, "internal"))

    async def arrived() -> bool:
        resp = await client.get("/v1/feed", params={"limit": 1000}, headers=internal)
        return ids <= {i["id"] for i in resp.json()["items"]}

    await eventually(arrived)
    return seeded


def accounts(own: str) -> dict:
    return {
        "district staff": (("staff", "330302", None), lambda u, d: d.startswith("330302")),
        "township staff": (("staff", "330302001", None), lambda u, d: d.startswith("330302001")),
        "supervisory unit": (("supervisor", "330303", None), lambda u, d: d.startswith("330303")),
        "party": (("party", "330303", None), lambda u, d: d.startswith("330303")),
        "district purchaser": (("purchaser", "330304", None), lambda u, d: d.startswith("330304")),
        "the organisation": (("org", "", own), lambda u, d: u == own),
    }


@pytest.mark.parametrize("account", ["district staff", "township staff", "supervisory unit", "party",
                                     "district purchaser", "the organisation"])
async def test_no_gateway_list_shows_a_record_outside_the_callers_scope(events_gateway, auth, seeded,
                                                                        account) -> None:
    """AUTH-2: generated from the gateway's OpenAPI, so a new list or feed endpoint is walked too."""
    app, client = events_gateway
    own = next(iter(seeded))
    (role, division, org), may_see = accounts(own)[account]
    headers = auth.bearer(await auth.token(app, role, division=division, org_uscc=org))
    assert await scope_leaks(client, app, headers, may_see, seeded) == []


async def test_the_walk_sees_the_seeds_as_the_internal_account(events_gateway, auth, seeded) -> None:
    """Else the matrix proves nothing: both the organisations (by USCC) and the filings (by township) are seen."""
    app, client = events_gateway
    internal = auth.bearer(await auth.token(app, "internal"))
    leaks = await scope_leaks(client, app, internal, lambda u, d: False, seeded)
    feed = [x for x in leaks if x.startswith("GET /v1/feed: ")]
    assert {u for u in seeded if any(u in x for x in feed)} == set(seeded), leaks
    assert {t for t in TOWNSHIPS if any(f"township_code={t}" in x for x in feed)} == set(TOWNSHIPS), leaks
