"""The issue's "done means": catalogue → project → bids (an abnormal-listed organisation refused, with the reason) →
panel award → contract with follow-ups and performance → shares report → OCDS export valid against the schema."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal

import pytest
from procurement_fixtures.factories import (
    AWARD_DAY,
    BID_DAY,
    SIGN_DAY,
    a_uscc,
    abnormal_listing,
    catalogue,
    contract_body,
    opened,
    org,
    project_body,
    purchaser,
    registered,
    rules,
    staff,
)
from sqlalchemy import select

from yishe_contracts.envelope import Envelope
from yishe_kit.testing import eventually, publish_envelope

pytestmark = pytest.mark.nats


async def _bidder(client, uscc: str, want) -> dict | None:
    resp = await client.get(f"/v1/bidders/{uscc}")
    return resp.json() if resp.status_code == 200 and want(resp.json()) else None


async def _outbox(app, subject: str) -> list[dict]:
    table = app.state.outbox.table
    async with app.state.sessionmaker() as session:
        rows = (await session.execute(select(table.c.payload).where(table.c.subject == subject))).all()
    return [json.loads(r[0])["data"] for r in rows]


async def _organisations(nats_url: str, client) -> tuple[str, str, str]:
    good, other, listed = a_uscc(), a_uscc("2"), a_uscc()
    for uscc in (good, other, listed):
        await publish_envelope(nats_url, Envelope.wrap(registered(uscc), source="registry"))
        await publish_envelope(nats_url, Envelope.wrap(opened(uscc), source="credit"))
    await publish_envelope(nats_url, Envelope.wrap(abnormal_listing(listed), source="credit"))
    for uscc in (good, other):
        await eventually(lambda u=uscc: _bidder(client, u, lambda b: b["may_bid"]))
    await eventually(lambda: _bidder(client, listed, lambda b: b["abnormal_listed"] and b["registration_status"]))
    return good, other, listed


async def test_purchase_runs_end_to_end_and_exports_valid_ocds_when_rules_are_met(app, client, clock, nats_server,
                                                                                  ocds) -> None:
    await catalogue(client)
    good, other, listed = await _organisations(nats_server.url, client)

    clock.fixed = date(2026, 11, 25)
    project = (await client.post("/v1/projects", json=project_body(), headers=purchaser())).json()
    pid = project["project_id"]
    assert (await client.post(f"/v1/projects/{pid}/publish", headers=purchaser())).json()["status"] == "tender"

    clock.fixed = BID_DAY
    bids = {}
    for uscc, amount in ((good, "380000.00"), (other, "360000")):
        resp = await client.post(f"/v1/projects/{pid}/bids", headers=org(uscc),
                                 json={"uscc": uscc, "amount": amount, "proposal": "专业社工团队提供上门服务"})
        assert resp.status_code == 201, resp.text
        bids[uscc] = resp.json()["bid_id"]
    refused = await client.post(f"/v1/projects/{pid}/bids", headers=org(listed),
                                json={"uscc": listed, "amount": "300000", "proposal": "专业社工团队提供上门服务"})
    assert refused.status_code == 400 and refused.json()["code"] == "bidder_ineligible"
    assert rules(refused) == ["PROC-4/CR-6"]
    assert "未按规定报送年度工作报告" in refused.json()["errors"][0]["message_zh"]

    clock.fixed = AWARD_DAY
    panel = [{"name": n} for n in ("王评审", "李评审", "赵评审")]
    assert (await client.put(f"/v1/projects/{pid}/panel", json={"members": panel}, headers=purchaser())).is_success
    for n, member in enumerate(panel):
        sheet = {"member_name": member["name"], "scores": [{"bid_id": bids[good], "score": ["90", "92", "88"][n]},
                                                         {"bid_id": bids[other], "score": ["85", "86", "84"][n]}]}
        assert (await client.post(f"/v1/projects/{pid}/scores", json=sheet, headers=purchaser())).is_success
    award = await client.post(f"/v1/projects/{pid}/award", json={}, headers=purchaser())
    assert award.status_code == 201 and award.json()["uscc"] == good and award.json()["amount"] == "380000.00"

    clock.fixed = SIGN_DAY
    signed = await client.post(f"/v1/projects/{pid}/contract", json=contract_body(), headers=purchaser())
    assert signed.status_code == 201, signed.text
    contract = signed.json()
    assert contract["follow_ups"]["required"] == 3 and len(contract["disclosures"]) >= 2
    [awarded] = await _outbox(app, "procurement.contract.awarded.v1")
    assert awarded["uscc"] == good and awarded["amount"] == "380000.00" and awarded["ocid"] == project["ocid"]

    clock.fixed = date(2028, 1, 5)
    cid = contract["contract_id"]
    for day in ("2027-03-31", "2027-08-31", "2027-12-20"):
        resp = await client.post(f"/v1/contracts/{cid}/follow-ups", headers=staff(),
                                 json={"followed_on": day, "followed_by": "五马街道社会组织服务中心",
                                       "findings": "按计划开展"})
        assert resp.status_code == 201, resp.text
    assert resp.json()["meets_minimum"] is True
    await client.post(f"/v1/contracts/{cid}/milestones/1/met", json={"date_met": "2027-01-20"}, headers=purchaser())
    paid = await client.post(f"/v1/contracts/{cid}/payments", headers=purchaser(), json={
        "milestone_seq": 1, "amount": "114000.00", "paid_on": "2027-01-25", "payee_uscc": good})
    assert paid.status_code == 201 and paid.json()["paid_total"] == "114000.00"
    evaluation = await client.post(f"/v1/contracts/{cid}/evaluations", headers=purchaser(), json={
        "kind": "final", "evaluator_type": "third_party", "evaluator_name": "温州市某第三方评估机构",
        "evaluated_on": "2028-01-05", "indicators": [{"name": "服务数量", "weight": "40", "score": "95"},
                                                    {"name": "服务质量", "weight": "40", "score": "90"},
                                                    {"name": "满意度", "weight": "20", "score": "88"}]})
    assert evaluation.status_code == 201, evaluation.text
    assert evaluation.json()["score"] == "91.60" and evaluation.json()["result"] == "优秀"
    [evaluated] = await _outbox(app, "procurement.performance.evaluated.v1")
    assert evaluated["score"] == "91.60" and evaluated["uscc"] == good

    shares = (await client.get("/v1/reports/shares?year=2027", headers=staff())).json()
    assert shares["overall"]["social_org"] == "380000.00" and shares["overall"]["social_org_target_met"] is True
    assert shares["rows"][0]["key"] == "温州市鹿城区民政局"
    assert (await client.get(f"/v1/bidders/{good}")).json()["contracts"] == 1

    releases = json.loads((await client.get(f"/v1/ocds/projects/{pid}/releases")).text, parse_float=Decimal)
    assert ocds.errors(ocds.release_package, releases) == []
    assert [r["tag"][0] for r in releases["releases"]][:4] == ["planning", "tender", "award", "contract"]
    for release in releases["releases"]:
        assert ocds.errors(ocds.dereferenced_release, release) == []
    record = json.loads((await client.get(f"/v1/ocds/projects/{pid}/record")).text, parse_float=Decimal)
    assert ocds.errors(ocds.record_package, record) == []
    compiled = record["records"][0]["compiledRelease"]
    assert ocds.errors(ocds.release, compiled) == []
    assert compiled["contracts"][0]["value"]["amount"] == Decimal("380000.00")
    assert compiled["awards"][0]["suppliers"][0]["id"] == f"CN-USCI-{good}"
    assert {p["id"] for p in compiled["parties"]} >= {f"CN-USCI-{good}", f"CN-USCI-{other}"}
    assert compiled["contracts"][0]["implementation"]["transactions"][0]["value"]["amount"] == Decimal("114000.00")
