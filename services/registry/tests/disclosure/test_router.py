from __future__ import annotations

from datetime import date

from registry_factories import STAFF, TOWNSHIP, events, history_actions, registered

BODY = {"income": {"donations": "12000.00", "government_grants": "50000.00", "service_purchases": "300000.00",
                   "fees": "8000.00", "other": "0"},
        "spending": {"service_purchases": "286000.50", "donations": "10000.00"},
        "audit_report_ref": "attachment:audit-2026.pdf"}


def own(uscc: str) -> dict:
    return {"x-yishe-role": "org", "x-yishe-actor": uscc}


async def grant(client, uscc: str, kind: str = "venture", amount: str = "50000.00", on: str = "2026-04-01",
                reference: str = "龙创投〔2026〕3号"):
    return await client.post(f"/v1/organisations/{uscc}/funding", headers=STAFF, json={
        "kind": kind, "amount": amount, "received_on": on, "reference": reference})


async def test_a_missing_disclosure_is_found_once_by_the_daily_job_and_listed_for_staff(client, app, clock) -> None:
    """DISC-3: due (a 公益创投 grant received) and not published by 30 June of the next year → listed and
    `registry.disclosure.missing.v1`, once; an organisation that published in time is not."""
    today = clock(date(2026, 5, 1))
    late, punctual = await registered(client, today), await registered(client, today)
    for org in (late, punctual):
        assert (await grant(client, org["uscc"])).status_code == 201
    clock(date(2027, 5, 1))
    assert (await client.put(f"/v1/organisations/{punctual['uscc']}/disclosures/2026", json=BODY,
                             headers=own(punctual["uscc"]))).status_code == 200
    on_deadline = (await client.post("/v1/jobs/daily?wait=true&as_of=2027-06-30", headers=STAFF)).json()
    assert on_deadline["disclosures_missing"]["count"] == 0
    after = (await client.post("/v1/jobs/daily?wait=true&as_of=2027-07-01", headers=STAFF)).json()
    assert after["disclosures_missing"]["sample"] == [f"{late['uscc']}/2026"]
    again = (await client.post("/v1/jobs/daily?wait=true&as_of=2027-07-02", headers=STAFF)).json()
    assert again["disclosures_missing"]["count"] == 0
    [event] = await events(app, "registry.disclosure.missing.v1")
    assert (event["uscc"], event["year"], event["reasons"], event["rule"]) == (late["uscc"], 2026, ["venture"],
                                                                               "DISC-3")
    listed = (await client.get("/v1/disclosures/missing", headers=STAFF)).json()
    assert [(d["uscc"], d["year"]) for d in listed] == [(late["uscc"], 2026)]
    assert (await client.get("/v1/disclosures/missing?division=330303", headers=TOWNSHIP)).status_code == 403
    assert "disclosure_missing" in await history_actions(client, late["uscc"])


async def test_the_public_sees_the_disclosure_on_the_organisation(client, app, clock) -> None:
    """DISC-1: income and spending by source with the audit report, on the organisation read and its own list,
    for anyone; the event carries the totals."""
    org = await registered(client, clock(date(2027, 2, 1)))
    uscc = org["uscc"]
    resp = await client.put(f"/v1/organisations/{uscc}/disclosures/2026", json=BODY, headers=own(uscc))
    assert resp.status_code == 200, resp.text
    assert resp.json()["total_income"] == "370000.00" and resp.json()["total_spending"] == "296000.50"
    public = (await client.get(f"/v1/organisations/{uscc}")).json()
    [shown] = public["disclosures"]
    assert shown["income"]["service_purchases"] == "300000.00" and shown["audit_report_ref"] == BODY[
        "audit_report_ref"]
    assert public["legal_representative"]["phone"] is None
    assert (await client.get(f"/v1/organisations/{uscc}/disclosures")).json() == [shown]
    [event] = await events(app, "registry.disclosure.published.v1", uscc)
    assert event["total_income"] == "370000.00" and event["source"] == "organisation"
    corrected = await client.put(f"/v1/organisations/{uscc}/disclosures/2026", json=BODY, headers=STAFF)
    assert corrected.json()["revision"] == 2


async def test_negative_amounts_a_future_year_and_another_organisation_are_refused(client, clock) -> None:
    """DISC-4 negative amounts, DISC-1 a future year, DISC-2 an unknown kind of money, AUTH-1 another organisation's
    account: a 4xx naming field and rule, nothing written."""
    org = await registered(client, clock(date(2026, 5, 1)))
    uscc = org["uscc"]
    bad = {**BODY, "income": {**BODY["income"], "donations": "-1.00"}}
    resp = await client.put(f"/v1/organisations/{uscc}/disclosures/2027", json=bad, headers=own(uscc))
    assert resp.status_code == 400
    assert {(e["field"], e["rule"]) for e in resp.json()["errors"]} == {("income.donations", "DISC-4"),
                                                                        ("year", "DISC-1")}
    assert (await client.get(f"/v1/organisations/{uscc}/disclosures")).json() == []
    other = await client.put(f"/v1/organisations/{uscc}/disclosures/2026", json=BODY,
                             headers=own("51330302MJ0000013B"))
    assert other.status_code == 403 and other.json()["errors"][0]["rule"] == "AUTH-1"
    wrong = await grant(client, uscc, kind="lottery", amount="-5")
    assert {(e["field"], e["rule"]) for e in wrong.json()["errors"]} == {("kind", "DISC-2"), ("amount", "DISC-4")}
    assert (await client.get(f"/v1/organisations/{uscc}/disclosure-duties", headers=STAFF)).json() == []


async def test_figures_by_source_are_taken_from_the_annual_report(client, app, clock) -> None:
    """DISC-5: the income and spending by source given in the annual report are published as the disclosure; a
    report without them is a 409 naming the rule."""
    org = await registered(client, clock(date(2025, 3, 1)))
    uscc = org["uscc"]
    clock(date(2026, 3, 10))
    url = f"/v1/organisations/{uscc}/disclosures/2025/from-annual-report"
    none = await client.post(url, headers=own(uscc))
    assert none.status_code == 409 and none.json()["errors"][0]["rule"] == "DISC-5"
    report = {"year": 2025, "activities": "全年开展志愿服务活动24场",
              "finance": {"total_income": "362000.00", "total_expenditure": "296000.50", "net_assets": "65000.00",
                          "income_by_source": {"service_purchases": "300000.00", "donations": "62000.00"},
                          "spending_by_source": {"service_purchases": "296000.50"}},
              "party_building": {"has_party_organisation": True, "full_members": 3, "activities_held": 6}}
    assert (await client.post(f"/v1/organisations/{uscc}/annual-reports", json=report,
                              headers=own(uscc))).status_code == 201
    taken = await client.post(url, headers=own(uscc))
    assert taken.status_code == 200 and taken.json()["source"] == "annual_report"
    assert taken.json()["total_income"] == "362000.00"
