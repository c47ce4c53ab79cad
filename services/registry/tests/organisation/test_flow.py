"""The issue's "done means": name reservation → application → joint review → registration with a USCC → annual
report → grade → change → deregistration, every step in the history and every event in the outbox."""

from __future__ import annotations

from datetime import date

from registry_factories import PARTY, STAFF, SUPERVISOR, apply, audit_reported, events, history_actions, review_all


async def test_whole_life_of_an_organisation_when_run_by_the_bureau(client, app, clock) -> None:
    today = clock(date(2023, 3, 1))
    app_json = await apply(client, category=None, supervisory_unit="鹿城区民政局")
    await review_all(client, app_json, today)
    org = (await client.post(f"/v1/applications/{app_json['application_id']}/register", headers=STAFF)).json()
    uscc = org["uscc"]
    clock(date(2024, 3, 20))
    report = {"year": 2023, "activities": "开展活动", "party_building": {"has_party_organisation": True,
                                                                     "full_members": 3},
              "finance": {"total_income": "1000", "total_expenditure": "800", "net_assets": "200"}}
    assert (await client.post(f"/v1/organisations/{uscc}/annual-reports", json=report,
                              headers={"x-yishe-role": "org", "x-yishe-actor": uscc})).status_code == 201
    await client.post(f"/v1/organisations/{uscc}/annual-reports/2023/first-instance",
                      json={"decision": "passed", "opinion": "同意"}, headers=SUPERVISOR)
    await client.post(f"/v1/organisations/{uscc}/annual-reports/2023/review",
                      json={"result": "合格", "opinion": "合格"}, headers=STAFF)
    clock(date(2026, 4, 1))
    assert (await client.post(f"/v1/organisations/{uscc}/grades", json={"grade": "4A", "announced_on": "2026-03-20"},
                              headers=STAFF)).status_code == 201
    assert (await client.post(f"/v1/organisations/{uscc}/changes", headers=STAFF, json={
        "address": "温州市鹿城区新址1号", "consent_date": "2026-03-25", "reason": "迁址"})).json()["late"] is False
    clock(date(2026, 9, 1))
    await audit_reported(client, uscc, "deregistration")
    done = await client.post(f"/v1/organisations/{uscc}/deregistration", headers=STAFF,
                             json={"liquidation_completed_on": "2026-08-25", "reason": "自行解散，清算完毕"})
    assert done.json()["status"] == "deregistered"
    assert await history_actions(client, uscc) == [
        "registered", "charter_approved", "annual_report_submitted", "annual_report_first_instance",
        "annual_report_reviewed", "grade_changed", "changed", "audit_commissioned", "audit_reported", "deregistered"]
    for subject in ("registry.organisation.registered.v1", "registry.charter.approved.v1",
                    "registry.annual_report.submitted.v1", "registry.annual_report.reviewed.v1",
                    "registry.grade.changed.v1", "registry.organisation.changed.v1",
                    "registry.organisation.status_changed.v1"):
        assert len(await events(app, subject, uscc)) == 1, subject
    steps = (await client.get(f"/v1/applications/{app_json['application_id']}", headers=PARTY)).json()["steps"]
    assert [s["step"] for s in steps] == ["supervisory_review", "political_review", "interview", "leader_notice",
                                          "registration_review", "publicity"]
