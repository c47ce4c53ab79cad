"""Credit records: the five CR-4 classes, the CR-5 recording rule, penalties, and event-fed 其他信息."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from credit_factories import STAFF, apply_fact, open_org, org_headers

from yishe_contracts.events.procurement import ContractAwarded, PerformanceEvaluated
from yishe_credit.record import facts as record_facts
from yishe_kit.clock import today as business_today


def body(uscc: str, **over) -> dict:
    return {"uscc": uscc, "category": "other", "kind": "commendation", "title": "获评温州市优秀社会组织",
            "formed_on": business_today().isoformat(), **over}


async def test_record_is_late_when_entered_more_than_five_working_days_after_forming(client, app) -> None:
    """CR-5: formed 2026-09-30 → due 2026-10-13 (National Day and a make-up Saturday counted)."""
    uscc = await open_org(app)
    late = (await client.post("/v1/records", json=body(uscc, formed_on="2026-09-30"), headers=STAFF)).json()
    assert (late["record"]["recording_due"], late["record"]["recorded_late"]) == ("2026-10-13", True)
    fresh = (await client.post("/v1/records", json=body(uscc, title="表彰"), headers=STAFF)).json()
    assert fresh["record"]["recorded_late"] is False
    alerts = (await client.get("/v1/records/late", headers=STAFF)).json()
    assert [r["record_id"] for r in alerts if r["uscc"] == uscc] == [late["record"]["record_id"]]


async def test_penalty_refused_400_when_details_or_amount_missing(client, app) -> None:
    uscc = await open_org(app)
    missing = await client.post("/v1/records", json=body(uscc, category="penalty", formed_on="2026-09-01"),
                                headers=STAFF)
    assert missing.status_code == 400 and missing.json()["errors"][0]["rule"] == "CR-4"
    no_amount = await client.post("/v1/records", json=body(uscc, category="penalty", formed_on="2026-09-01", penalty={
        "penalty_type": "fine", "decision_number": "温民罚〔2026〕1号", "legal_basis": "条例第三十条",
        "deciding_body": "温州市民政局"}), headers=STAFF)
    assert no_amount.status_code == 400 and no_amount.json()["errors"][0]["field"] == "penalty.fine_amount"
    assert (await client.get(f"/v1/profiles/{uscc}/records", headers=STAFF)).json() == []


async def test_record_entry_403_when_caller_is_not_staff(client, app) -> None:
    uscc = await open_org(app)
    assert (await client.post("/v1/records", json=body(uscc), headers=org_headers(uscc))).status_code == 403
    assert (await client.post("/v1/records", json=body(uscc))).status_code == 403


async def test_public_sees_only_public_records_and_no_timing_when_reading(client, app) -> None:
    uscc = await open_org(app)
    await client.post("/v1/records", json=body(uscc), headers=STAFF)
    await client.post("/v1/records", json=body(uscc, title="内部核查线索", public=False, category="inspection"),
                      headers=STAFF)
    public = (await client.get(f"/v1/profiles/{uscc}/records")).json()
    assert [r["title"] for r in public] == ["获评温州市优秀社会组织"] and public[0]["recorded_late"] is None
    own = (await client.get(f"/v1/profiles/{uscc}/records", headers=org_headers(uscc))).json()
    assert len(own) == 2


async def test_procurement_events_become_other_information_once_when_repeated(client, app) -> None:
    uscc = await open_org(app)
    awarded = ContractAwarded(uscc=uscc, ocid="ocds-1", contract_id="HT-1", title="社区养老服务",
                              amount=Decimal("120000.00"), purchaser="鹿城区民政局",
                              awarded_on=business_today() - timedelta(days=3))
    await apply_fact(app, record_facts.contract_awarded, awarded)
    await apply_fact(app, record_facts.contract_awarded, awarded)
    await apply_fact(app, record_facts.performance_evaluated, PerformanceEvaluated(
        uscc=uscc, ocid="ocds-1", contract_id="HT-1", score=Decimal("92.50"), result="优秀", evaluator="第三方",
        evaluated_on=business_today()))
    records = (await client.get(f"/v1/profiles/{uscc}/records?category=other")).json()
    assert [r["kind"] for r in records] == ["contract_awarded", "performance_evaluated"]
