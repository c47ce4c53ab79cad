from __future__ import annotations

from datetime import date

from registry_factories import STAFF, SUPERVISOR, events, history_actions, registered


def report(year: int = 2026, **overrides) -> dict:
    return {"year": year, "activities": "全年开展志愿服务活动24场",
            "finance": {"total_income": "120000.00", "total_expenditure": "98000.50", "net_assets": "65000.00"},
            "party_building": {"has_party_organisation": True, "full_members": 3, "activities_held": 6},
            **overrides}


async def test_report_goes_first_instance_then_bureau_then_public_when_supervised(client, app, clock) -> None:
    clock(date(2026, 3, 1))
    org = await registered(client, date(2026, 3, 1), category=None, supervisory_unit="鹿城区文广旅体局")
    uscc, org_headers = org["uscc"], {"x-yishe-role": "org", "x-yishe-actor": org["uscc"]}
    clock(date(2027, 3, 10))
    resp = await client.post(f"/v1/organisations/{uscc}/annual-reports", json=report(), headers=org_headers)
    assert resp.status_code == 201, resp.text
    assert resp.json()["supervisor_deadline"] == "2027-03-31" and resp.json()["deadline"] == "2027-05-31"
    base = f"/v1/organisations/{uscc}/annual-reports/2026"
    early = await client.post(f"{base}/review", json={"result": "合格", "opinion": "好"}, headers=STAFF)
    assert early.status_code == 409 and early.json()["errors"][0]["rule"] == "AR-5"
    assert (await client.post(f"{base}/first-instance", json={"decision": "passed", "opinion": "同意"},
                              headers=SUPERVISOR)).status_code == 200
    reviewed = await client.post(f"{base}/review", json={"result": "基本合格", "opinion": "账目需规范"}, headers=STAFF)
    assert reviewed.json()["result"] == "基本合格"
    assert (await client.get(base)).status_code == 404  # not public before disclosure
    assert (await client.post(f"{base}/disclose", headers=org_headers)).status_code == 200
    public = (await client.get(base)).json()
    assert public["total_income"] == "120000.00" and public["review_opinion"] is None
    [submitted] = await events(app, "registry.annual_report.submitted.v1", uscc)
    assert submitted["late"] is False and submitted["party_building_section"] is True
    [result] = await events(app, "registry.annual_report.reviewed.v1", uscc)
    assert result["result"] == "基本合格"
    assert "annual_report_reviewed" in await history_actions(client, uscc)


async def test_report_refused_before_the_window_opens_and_without_party_section(client, clock) -> None:
    clock(date(2025, 3, 1))
    org = await registered(client, date(2025, 3, 1))
    clock(date(2025, 12, 1))
    early = await client.post(f"/v1/organisations/{org['uscc']}/annual-reports", json=report(2025), headers=STAFF)
    assert early.status_code == 400 and early.json()["errors"][0]["rule"] == "AR-2"
    clock(date(2026, 2, 1))
    missing = report(2025)
    del missing["party_building"]
    resp = await client.post(f"/v1/organisations/{org['uscc']}/annual-reports", json=missing, headers=STAFF)
    assert resp.status_code == 422 and resp.json()["errors"][0]["field"] == "party_building"


async def test_new_private_non_enterprise_exempt_when_registered_in_second_half(client, clock) -> None:
    clock(date(2026, 8, 1))
    org = await registered(client, date(2026, 8, 1), "民办非企业单位")
    clock(date(2027, 2, 1))
    resp = await client.post(f"/v1/organisations/{org['uscc']}/annual-reports", json=report(2026), headers=STAFF)
    assert resp.status_code == 400 and resp.json()["errors"][0]["rule"] == "AR-3"


async def test_daily_job_marks_overdue_once_and_emits_for_credit(client, app, clock) -> None:
    clock(date(2025, 6, 1))
    org = await registered(client, date(2025, 6, 1))  # directly registered: deadline 31 May
    foundation = await registered(client, date(2025, 6, 1), "基金会")  # deadline 31 March
    before = (await client.post("/v1/jobs/daily?wait=true&as_of=2026-04-01", headers=STAFF)).json()
    assert before["annual_reports_overdue"]["sample"] == [foundation["uscc"]]
    job = (await client.post("/v1/jobs/daily?wait=true&as_of=2026-06-01", headers=STAFF)).json()
    assert job["annual_reports_overdue"]["sample"] == [org["uscc"]]
    again = (await client.post("/v1/jobs/daily?wait=true&as_of=2026-06-02", headers=STAFF)).json()
    assert again["annual_reports_overdue"]["count"] == 0
    [event] = await events(app, "registry.annual_report.overdue.v1", org["uscc"])
    assert event == {"uscc": org["uscc"], "year": 2025, "deadline": "2026-05-31", "as_of": "2026-06-01",
                     "rule": "AR-1"}
    clock(date(2026, 6, 10))
    late = await client.post(f"/v1/organisations/{org['uscc']}/annual-reports", json=report(2025), headers=STAFF)
    assert late.status_code == 201 and late.json()["late"] is True and late.json()["overdue_on"] == "2026-06-01"


async def test_overdue_dated_day_after_deadline_and_missed_years_caught_up_when_job_runs_late(client, app,
                                                                                             clock) -> None:
    """Issue 13 (AR-1 → CR-6.1): the first job runs on 2027-07-10, a year late: the 2025 report is overdue from
    2026-06-01 and the 2026 one from 2027-06-01 (the rule's days), not from 2027-07-10; credit lists them so."""
    clock(date(2025, 6, 1))
    org = await registered(client, date(2025, 6, 1))
    job = (await client.post("/v1/jobs/daily?wait=true&as_of=2027-07-10", headers=STAFF)).json()
    assert job["annual_reports_overdue"]["count"] == 2
    found = [(e["year"], e["as_of"]) for e in await events(app, "registry.annual_report.overdue.v1", org["uscc"])]
    assert sorted(found) == [(2025, "2026-06-01"), (2026, "2027-06-01")]
    assert (await client.post("/v1/jobs/daily?wait=true&as_of=2027-07-11", headers=STAFF)).json()[
        "annual_reports_overdue"]["count"] == 0


async def test_report_without_first_instance_counts_as_overdue_when_supervised(client, app, clock) -> None:
    clock(date(2025, 6, 1))
    org = await registered(client, date(2025, 6, 1), category=None, supervisory_unit="某局")
    clock(date(2026, 5, 1))
    await client.post(f"/v1/organisations/{org['uscc']}/annual-reports", json=report(2025), headers=STAFF)
    job = (await client.post("/v1/jobs/daily?wait=true&as_of=2026-06-01", headers=STAFF)).json()
    assert job["annual_reports_overdue"]["sample"] == [org["uscc"]]
    [event] = await events(app, "registry.annual_report.overdue.v1", org["uscc"])
    assert event["rule"] == "AR-5"


async def test_second_submission_refused_409_when_already_in(client, clock) -> None:
    clock(date(2025, 6, 1))
    org = await registered(client, date(2025, 6, 1))
    clock(date(2026, 2, 1))
    url = f"/v1/organisations/{org['uscc']}/annual-reports"
    assert (await client.post(url, json=report(2025), headers=STAFF)).status_code == 201
    assert (await client.post(url, json=report(2025), headers=STAFF)).status_code == 409
    other = {"x-yishe-role": "org", "x-yishe-actor": "51330302MJ0000018X"}
    assert (await client.post(url, json=report(2025), headers=other)).status_code == 403


async def test_first_instance_and_bureau_steps_refused_403_outside_division(client, app, clock) -> None:
    """AUTH-2: a supervisory unit (or staff) limited to another division cannot act on this organisation's report."""
    clock(date(2025, 3, 1))
    org = await registered(client, date(2025, 3, 1), category=None, supervisory_unit="鹿城区文广旅体局")
    clock(date(2026, 3, 10))
    url = f"/v1/organisations/{org['uscc']}/annual-reports"
    longwan_staff = {**STAFF, "x-yishe-division": "330303"}
    refused = await client.post(url, json=report(2025), headers=longwan_staff)
    assert refused.status_code == 403 and refused.json()["errors"][0]["rule"] == "AUTH-2"
    assert (await client.get(url, headers=STAFF)).json() == []
    assert (await client.post(url, json=report(2025), headers=STAFF)).status_code == 201
    longwan = {**SUPERVISOR, "x-yishe-division": "330303"}
    resp = await client.post(f"{url}/2025/first-instance", json={"decision": "passed", "opinion": "同意"},
                             headers=longwan)
    assert resp.status_code == 403 and resp.json()["errors"][0]["rule"] == "AUTH-2"
    assert (await client.get(f"{url}/2025", headers=STAFF)).json()["status"] == "submitted"
    assert "annual_report_first_instance" not in await history_actions(client, org["uscc"])
    own = {**SUPERVISOR, "x-yishe-division": "330302"}
    resp = await client.post(f"{url}/2025/first-instance", json={"decision": "passed", "opinion": "同意"}, headers=own)
    assert resp.status_code == 200 and resp.json()["status"] == "first_instance_passed"
    assert (await client.post(f"{url}/2025/review", json={"result": "合格", "opinion": "好"},
                              headers=STAFF)).status_code == 200
    resp = await client.post(f"{url}/2025/disclose", headers=longwan_staff)
    assert resp.status_code == 403 and resp.json()["errors"][0]["rule"] == "AUTH-2"


async def test_first_instance_and_disclosure_emit_and_refused_steps_emit_nothing(client, app, clock) -> None:
    """AR-1/AR-5: each first-instance decision and the disclosure are events; a refused step writes no event."""
    clock(date(2025, 3, 1))
    org = await registered(client, date(2025, 3, 1), category=None, supervisory_unit="鹿城区文广旅体局")
    direct = await registered(client, date(2025, 3, 1))
    uscc, org_headers = org["uscc"], {"x-yishe-role": "org", "x-yishe-actor": org["uscc"]}
    clock(date(2026, 3, 10))
    url = f"/v1/organisations/{uscc}/annual-reports"
    assert (await client.post(url, json=report(2025), headers=org_headers)).status_code == 201
    returned = await client.post(f"{url}/2025/first-instance", json={"decision": "returned", "opinion": "补充财务"},
                                 headers=SUPERVISOR)
    assert returned.status_code == 200 and returned.json()["status"] == "returned"
    again = await client.post(f"{url}/2025/first-instance", json={"decision": "passed", "opinion": "同意"},
                               headers=SUPERVISOR)
    assert again.status_code == 409  # nothing awaits first instance until it is resubmitted
    early = await client.post(f"{url}/2025/disclose", headers=org_headers)
    assert early.status_code == 409 and early.json()["errors"][0]["rule"] == "AR-1"
    clock(date(2026, 3, 20))
    assert (await client.post(url, json=report(2025), headers=org_headers)).status_code == 201
    assert (await client.post(f"{url}/2025/first-instance", json={"decision": "passed", "opinion": "同意"},
                              headers=SUPERVISOR)).status_code == 200
    assert (await client.post(f"{url}/2025/review", json={"result": "合格", "opinion": "好"},
                              headers=STAFF)).status_code == 200
    clock(date(2026, 6, 20))
    assert (await client.post(f"{url}/2025/disclose", headers=org_headers)).status_code == 200
    assert (await client.post(f"{url}/2025/disclose", headers=STAFF)).status_code == 200  # already public
    decisions = await events(app, "registry.annual_report.first_instance_reviewed.v1", uscc)
    assert [(e["decision"], e["decided_on"]) for e in decisions] == [("returned", "2026-03-10"),
                                                                     ("passed", "2026-03-20")]
    assert decisions[0] == {"uscc": uscc, "year": 2025, "decision": "returned", "decided_on": "2026-03-10",
                            "deadline": "2026-05-31"}
    assert "补充财务" not in str(decisions)  # opinions stay in the registry
    assert await events(app, "registry.annual_report.disclosed.v1", uscc) == [
        {"uscc": uscc, "year": 2025, "result": "合格", "disclosed_on": "2026-06-20"}]
    direct_url = f"/v1/organisations/{direct['uscc']}/annual-reports"
    assert (await client.post(direct_url, json=report(2025), headers=STAFF)).status_code == 201
    none_due = await client.post(f"{direct_url}/2025/first-instance", json={"decision": "passed", "opinion": "同意"},
                                 headers=SUPERVISOR)
    assert none_due.status_code == 409 and none_due.json()["errors"][0]["rule"] == "AR-2"
    assert await events(app, "registry.annual_report.first_instance_reviewed.v1", direct["uscc"]) == []
