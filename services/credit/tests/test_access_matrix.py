"""AUTH-2 on every read (issue 12): every list, search, export and feed endpoint of the credit service's OpenAPI,
walked with each scoped account against organisations seeded in three divisions (two districts, one township) with
complaints, credit records recorded late (CR-5), objections (CR-15), pending listing triggers and list entries,
shows nothing outside the caller's scope (a record the public sees anyway, e.g. the published lists, is not a leak).
A complainant's identity is seen only by the department handling the complaint."""

from __future__ import annotations

from datetime import date

import pytest
from credit_factories import STAFF, open_org, org_headers, penalty

from yishe_credit.context import event_ctx
from yishe_credit.listing import service as listing_service
from yishe_kit.testing import scope_leaks, scoped_accounts

DIVISIONS = ("330302", "330302", "330303", "330304")


def accounts(own: str) -> dict:
    return scoped_accounts(own, STAFF)


async def _trigger(app, uscc: str) -> None:
    """A pending CR-6.1 trigger (annual report overdue), as the registry's event would raise it."""
    async with app.state.sessionmaker() as session, session.begin():
        ctx = event_ctx(session, app.state.outbox, app.state.settings, "test", app.state.clock)
        await listing_service.raise_trigger(ctx, uscc, "CR-6.1", ref=f"ar:{uscc}", evidence=["2025年度报告逾期"],
                                            due_on=date(2099, 1, 1), dedupe_key=f"matrix:{uscc}", source="test")


async def _complain(client, uscc: str, name: str = "王五") -> int:
    body = {"kind": "complaint", "target_uscc": uscc, "target_name": "某协会", "content": "收费不开票据",
            "complainant": {"name": name, "phone": "13800138000"}}
    resp = await client.post("/v1/complaints", json=body)
    assert resp.status_code == 201, resp.text
    listed = (await client.get("/v1/complaints", headers=STAFF)).json()
    return max(c["complaint_id"] for c in listed if c["target_uscc"] == uscc)


@pytest.fixture
async def seeded(client, app) -> dict[str, str]:
    seeded = {}
    for i, division in enumerate(DIVISIONS):
        uscc = await open_org(app, division=division)
        seeded[uscc] = division
        await _complain(client, uscc)
        record = await penalty(client, uscc, on=date(2025, 3, 1 + i))  # formed long before: recorded late (CR-5)
        objection = await client.post("/v1/objections", headers=org_headers(uscc), json={
            "uscc": uscc, "target_type": "record", "target_id": record["record"]["record_id"],
            "reason": "处罚决定已撤销"})
        assert objection.status_code == 201, objection.text
        await _trigger(app, uscc)
    return seeded


@pytest.mark.parametrize("account", ["district staff", "township staff", "supervisory unit", "party",
                                     "the organisation"])
async def test_no_list_shows_a_record_outside_the_callers_scope(client, app, seeded, account) -> None:
    """AUTH-2: generated from the OpenAPI, so a new list endpoint is walked too (objections, late records and
    listing triggers were listed city-wide to district accounts before)."""
    own = next(iter(seeded))
    headers, may_see = accounts(own)[account]
    assert await scope_leaks(client, app, headers, may_see, seeded) == []


async def test_the_walk_sees_the_seeds_as_whole_city_staff(client, app, seeded) -> None:
    """Else the matrix proves nothing: every seeded organisation shows up in the lists for the city."""
    leaks = await scope_leaks(client, app, STAFF, lambda u, d: False, seeded)
    for path in ("/v1/complaints", "/v1/objections", "/v1/records/late", "/v1/triggers"):
        assert {u for u in seeded if f"GET {path}: " in "".join(x for x in leaks if u in x)} == set(seeded), path


async def test_complainant_identity_only_for_the_department_handling_it(client, app) -> None:
    """Issue 12: a 330304 staff account and a 330302001 township account listed a complaint against a 330302
    organisation with the complainant's name. Now only the registration authority whose jurisdiction holds the
    organisation (and the city) sees it and who made it; a supervisory unit sees the complaint, not the person."""
    uscc = await open_org(app, division="330302")
    complaint_id = await _complain(client, uscc, name="赵投诉人")

    def names(resp) -> list:
        assert resp.status_code == 200, resp.text
        return [c["complainant_name"] for c in resp.json() if c["target_uscc"] == uscc]

    for handling in (STAFF, {**STAFF, "x-yishe-division": "330302"}):
        assert names(await client.get("/v1/complaints", headers=handling)) == ["赵投诉人"]
        one = (await client.get(f"/v1/complaints/{complaint_id}", headers=handling)).json()
        assert one["complainant_name"] == "赵投诉人" and one["complainant_phone"] == "138****8000"
    for elsewhere in ({**STAFF, "x-yishe-division": "330304"}, {**STAFF, "x-yishe-division": "330302001"}):
        assert names(await client.get("/v1/complaints", headers=elsewhere)) == []
        assert (await client.get(f"/v1/complaints/{complaint_id}", headers=elsewhere)).status_code == 404
    supervisor = {"x-yishe-role": "supervisor", "x-yishe-actor": "lucheng-civil", "x-yishe-division": "330302"}
    assert names(await client.get("/v1/complaints", headers=supervisor)) == [None]
    assert "赵投诉人" not in (await client.get(f"/v1/complaints/{complaint_id}", headers=supervisor)).text
    for refused in ({"x-yishe-role": "party", "x-yishe-actor": "p", "x-yishe-division": "330302"},
                    org_headers(uscc), {}):
        resp = await client.get("/v1/complaints", headers=refused)
        assert resp.status_code == 403 and "赵投诉人" not in resp.text
