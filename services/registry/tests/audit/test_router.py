from __future__ import annotations

from datetime import date

from registry_factories import (
    STAFF,
    TOWNSHIP,
    audit_exempted,
    audit_reported,
    events,
    history_actions,
    id_number,
    registered,
)


def rep_change(name: str = "林新") -> dict:
    return {"legal_representative": {"name": name, "id_number": id_number(date(1980, 1, 1)), "phone": "13900001111"},
            "reason": "法定代表人换届"}


async def org_view(client, uscc: str) -> dict:
    return (await client.get(f"/v1/organisations/{uscc}", headers=STAFF)).json()


async def test_change_of_legal_representative_waits_for_the_outgoing_audit_and_completes_when_filed(
        client, app, clock) -> None:
    """TPA-2: the change waits (202) for the outgoing representative's 离任审计 and completes when it is filed."""
    org = await registered(client, clock(date(2026, 5, 1)))
    uscc, before = org["uscc"], org["legal_representative"]["name"]
    clock(date(2026, 6, 1))
    waiting = await client.post(f"/v1/organisations/{uscc}/changes", json=rep_change(), headers=STAFF)
    assert waiting.status_code == 202, waiting.text
    assert waiting.json()["status"] == "awaiting_audit" and waiting.json()["changes"] == {}
    assert (await org_view(client, uscc))["legal_representative"]["name"] == before
    assert await events(app, "registry.organisation.changed.v1", uscc) == []
    again = await client.post(f"/v1/organisations/{uscc}/changes", json=rep_change("周新"), headers=STAFF)
    assert again.status_code == 409 and again.json()["errors"][0]["rule"] == "TPA-2"

    filed = await audit_reported(client, uscc, "legal_rep_change")
    assert filed["status"] == "reported" and filed["completed"] == [f"pending_change:{waiting.json()['pending_id']}"
                                                                    ":completed"]
    assert (await org_view(client, uscc))["legal_representative"]["name"] == "林新"
    [changed] = await events(app, "registry.organisation.changed.v1", uscc)
    assert changed["changes"]["legal_rep_name"] == {"before": before, "after": "林新"}
    actions = await history_actions(client, uscc)
    assert actions[-4:] == ["change_awaiting_audit", "audit_commissioned", "audit_reported", "changed"]
    [audit] = (await client.get(f"/v1/organisations/{uscc}/audits", headers=STAFF)).json()
    assert audit["used_for"] == "change_of_legal_representative"


async def test_a_documented_exemption_lets_the_change_of_legal_representative_go_ahead(client, clock) -> None:
    """TPA-2: a documented exemption (reason, who) stands in for the report; it serves one change only."""
    org = await registered(client, clock(date(2026, 5, 1)))
    uscc = org["uscc"]
    exemption = await audit_exempted(client, uscc, "legal_rep_change")
    assert exemption["status"] == "exempted" and exemption["exemption_authorised_by"] == "chief-1"
    done = await client.post(f"/v1/organisations/{uscc}/changes", json=rep_change(), headers=STAFF)
    assert done.status_code == 200 and done.json()["status"] == "registered"
    next_one = await client.post(f"/v1/organisations/{uscc}/changes", json=rep_change("周新"), headers=STAFF)
    assert next_one.status_code == 202


async def test_deregistration_does_not_complete_without_the_liquidation_audit(client, app, clock) -> None:
    """TPA-3: no 注销登记 without the filed 清算审计 report or a documented exemption; nothing written."""
    org = await registered(client, clock(date(2026, 5, 1)))
    uscc = org["uscc"]
    clock(date(2026, 9, 1))
    body = {"liquidation_completed_on": "2026-08-25", "reason": "清算完毕"}
    refused = await client.post(f"/v1/organisations/{uscc}/deregistration", json=body, headers=STAFF)
    assert refused.status_code == 409 and refused.json()["errors"][0]["rule"] == "TPA-3"
    assert (await org_view(client, uscc))["status"] == "active"
    assert await events(app, "registry.organisation.status_changed.v1", uscc) == []
    await audit_exempted(client, uscc, "legal_rep_change")  # another occasion's exemption does not count
    assert (await client.post(f"/v1/organisations/{uscc}/deregistration", json=body,
                              headers=STAFF)).status_code == 409
    await audit_reported(client, uscc, "deregistration")
    done = await client.post(f"/v1/organisations/{uscc}/deregistration", json=body, headers=STAFF)
    assert done.status_code == 200 and done.json()["status"] == "deregistered"


async def test_unknown_occasion_negative_fee_and_dates_are_refused_with_nothing_written(client, clock) -> None:
    """TPA-1 (the four occasions) and TPA-4 (fee ≥ 0, dates in order): 400 naming field and rule."""
    org = await registered(client, clock(date(2026, 5, 1)))
    url = f"/v1/organisations/{org['uscc']}/audits"
    bad = await client.post(url, headers=STAFF, json={"occasion": "annual_check", "audit_firm": "某所",
                                                      "fee": "-1.00", "due_on": "2026-04-01"})
    assert bad.status_code == 400
    assert {(e["field"], e["rule"]) for e in bad.json()["errors"]} == {
        ("occasion", "TPA-1"), ("fee", "TPA-4"), ("due_on", "TPA-4")}
    exempt = await client.post(f"{url}/exemptions", headers=STAFF,
                               json={"occasion": "annual_check", "reason": "无需审计", "authorised_by": "chief-1"})
    assert exempt.status_code == 400 and exempt.json()["errors"][0]["rule"] == "TPA-1"
    assert (await client.get(url, headers=STAFF)).json() == []
    assert "audit_commissioned" not in await history_actions(client, org["uscc"])


async def test_a_report_for_an_engagement_that_does_not_exist_or_twice_is_refused(client, app, clock) -> None:
    """TPA-7: a report needs its commissioned engagement (404 naming engagement_id) and is filed once (409);
    TPA-5: a severity outside note/moderate/serious is refused."""
    org = await registered(client, clock(date(2026, 5, 1)))
    uscc = org["uscc"]
    report = {"report_ref": "attachment:x.pdf"}
    missing = await client.post(f"/v1/organisations/{uscc}/audits/999/report", json=report, headers=STAFF)
    assert missing.status_code == 404 and missing.json()["errors"][0]["field"] == "engagement_id"
    made = await client.post(f"/v1/organisations/{uscc}/audits", headers=STAFF,
                             json={"occasion": "inspection", "audit_firm": "某所", "fee": "0"})
    url = f"/v1/organisations/{uscc}/audits/{made.json()['engagement_id']}/report"
    bad = await client.post(url, headers=STAFF, json={**report, "findings": [{"severity": "fatal", "summary": "xx"}]})
    assert bad.status_code == 400 and bad.json()["errors"][0] == {
        **bad.json()["errors"][0], "field": "findings[0].severity", "rule": "TPA-5"}
    assert (await client.post(url, json=report, headers=STAFF)).status_code == 200
    twice = await client.post(url, json=report, headers=STAFF)
    assert twice.status_code == 409 and twice.json()["errors"][0]["rule"] == "TPA-7"
    exemption = await audit_exempted(client, uscc, "inspection")
    no_report = await client.post(f"/v1/organisations/{uscc}/audits/{exemption['engagement_id']}/report",
                                  json=report, headers=STAFF)
    assert no_report.status_code == 409


async def test_adverse_findings_are_emitted_with_their_evidence_for_credit(client, app, clock) -> None:
    """TPA-5: moderate and serious findings become `registry.audit.finding_recorded.v1` with the evidence; a note
    does not."""
    org = await registered(client, clock(date(2026, 5, 1)))
    uscc = org["uscc"]
    filed = await audit_reported(client, uscc, "inspection", findings=[
        {"severity": "note", "summary": "凭证装订不规范", "evidence": ["第3页"]},
        {"severity": "serious", "summary": "专项资金12万元挪用于办公支出",
         "evidence": ["审计报告第7页", "凭证2026-031"]}])
    assert [f["adverse"] for f in filed["findings"]] == [False, True]
    [event] = await events(app, "registry.audit.finding_recorded.v1", uscc)
    assert event["severity"] == "serious" and event["evidence"] == ["审计报告第7页", "凭证2026-031"]
    assert event["occasion"] == "inspection" and event["report_ref"] == filed["report_ref"]


async def test_fees_add_up_per_year_and_division_as_json_and_csv(client, clock) -> None:
    """TPA-6: fees per budget year and division (exemptions cost nothing); CSV with a BOM and Chinese headers;
    a district's staff see only their district (AUTH-2)."""
    today = clock(date(2026, 5, 1))
    a = await registered(client, today)
    b = await registered(client, today)
    await audit_reported(client, a["uscc"], "inspection", fee="8000.50")
    await audit_reported(client, b["uscc"], "evaluation", fee="12000.00")
    await audit_exempted(client, b["uscc"], "deregistration")
    clock(date(2027, 1, 5))
    await audit_reported(client, a["uscc"], "inspection", fee="100.00")
    report = (await client.get("/v1/audits/fees?year=2026", headers=STAFF)).json()
    assert report["rows"] == [{"year": 2026, "division_code": "330302", "engagements": 2, "fee_total": "20000.50"}]
    assert report["total"] == "20000.50"
    csv = await client.get("/v1/audits/fees?format=csv", headers=STAFF)
    assert csv.content.startswith("\ufeff".encode()) and csv.headers["content-type"].startswith("text/csv")
    lines = csv.content.decode("utf-8-sig").splitlines()
    assert lines[0] == "年度,行政区划代码,审计委托数,审计费用合计（元）"
    assert lines[1:] == ["2026,330302,2,20000.50", "2027,330302,1,100.00", "合计,,3,20100.50"]
    other = await client.get("/v1/audits/fees?division=330303", headers=TOWNSHIP)
    assert other.status_code == 403 and other.json()["errors"][0]["rule"] == "AUTH-2"
    public = await client.get("/v1/audits/fees")
    assert public.status_code == 403 and public.json()["errors"][0]["rule"] == "AUTH-1"
