from __future__ import annotations

from decimal import Decimal

import pytest
from cultivation_factories import CITY_STAFF, OUYAN_STAFF, add_org, grade, graded, org_headers, registered

from yishe_cultivation.config import Settings

pytestmark = pytest.mark.nats


async def test_ledger_approve_then_pay_with_dates(app, client) -> None:
    """EVAL-10: a payable reward is approved, then paid; dates never before the award, the approval, or after
    today; paying before approval is refused."""
    uscc = await add_org(app, registered())
    await grade(app, graded(uscc, "3A"))
    [reward] = (await client.get("/v1/rewards", headers=CITY_STAFF)).json()
    assert (reward["grade"], reward["amount"], reward["status_label"]) == ("3A", "10000.00", "待审批")
    rid = reward["reward_id"]
    early = await client.post(f"/v1/rewards/{rid}/pay", headers=CITY_STAFF, json={})
    assert early.status_code == 409 and early.json()["errors"][0]["rule"] == "EVAL-10"
    before = await client.post(f"/v1/rewards/{rid}/approve", headers=CITY_STAFF, json={"approved_on": "2026-06-01"})
    assert before.status_code == 400 and before.json()["errors"][0]["field"] == "approved_on"
    ok = await client.post(f"/v1/rewards/{rid}/approve", headers=CITY_STAFF, json={"approved_on": "2026-07-10"})
    assert ok.json()["status"] == "approved"
    future = await client.post(f"/v1/rewards/{rid}/pay", headers=CITY_STAFF, json={"paid_on": "2026-12-01"})
    assert future.status_code == 400 and future.json()["errors"][0]["field"] == "paid_on"
    paid = await client.post(f"/v1/rewards/{rid}/pay", headers=CITY_STAFF,
                             json={"paid_on": "2026-08-01", "voucher": "PZ-001"})
    assert (paid.json()["status"], paid.json()["paid_on"]) == ("paid", "2026-08-01")
    summary = (await client.get("/v1/rewards/summary", headers=CITY_STAFF)).json()
    assert summary["paid"] == "10000.00" and summary["by_grade"]["3A"] == 1
    assert (await client.get("/v1/rewards", headers=OUYAN_STAFF)).json() == []
    own = (await client.get("/v1/rewards", headers=org_headers(uscc))).json()
    assert [r["reward_id"] for r in own] == [rid]


async def test_amounts_per_locality_and_claims_need_a_grade_on_record(migrated, nats_server) -> None:
    """EVAL-10 per locality: the longest matching division prefix sets the amount; a claim for a grade never
    awarded is refused."""
    from yishe_cultivation.main import create_app
    from yishe_kit.testing import running_client

    settings = Settings(db={"url": migrated("cultivation").fresh_url()}, nats={"url": nats_server.url},
                        reward={"amounts": {"": {"3A": "10000", "4A": "20000", "5A": "30000"},
                                            "330383": {"3A": "15000", "4A": "25000", "5A": "40000"}}})
    app = create_app(settings)
    async for client in running_client(app):
        longgang = await add_org(app, registered(division="330383"))
        await grade(app, graded(longgang, "4A"))
        [r] = (await client.get("/v1/rewards", headers=CITY_STAFF)).json()
        assert (Decimal(r["amount"]), r["locality"]) == (Decimal(25000), "330383")
        other = await add_org(app, registered())
        claim = await client.post("/v1/rewards", headers=CITY_STAFF, json={"uscc": other, "grade": "3A"})
        assert claim.status_code == 400 and claim.json()["errors"][0]["rule"] == "EVAL-10"
