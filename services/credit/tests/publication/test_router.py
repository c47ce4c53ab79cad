"""CR-17: the 信用中国 window is kept apart from the list status."""

from __future__ import annotations

from datetime import date

from credit_factories import STAFF, list_manually, open_org, org_headers, profile


async def test_repair_refused_before_minimum_and_before_obligation_then_approved_when_both_met(client, app) -> None:
    uscc = await open_org(app)
    entry = (await list_manually(client, uscc, trigger="CR-6.6", on=date(2026, 5, 4))).json()
    [window] = (await client.get(f"/v1/profiles/{uscc}/publication")).json()
    assert (window["tier"], window["min_until"], window["max_until"]) == ("一般", "2026-08-04", "2027-05-04")
    wid = window["window_id"]
    early = await client.post(f"/v1/publication-windows/{wid}/repair",
                              json={"commitment": "信用承诺书", "applied_on": "2026-07-01"}, headers=org_headers(uscc))
    assert early.status_code == 409 and "2026-08-04" in early.json()["errors"][0]["message_zh"]
    unperformed = await client.post(f"/v1/publication-windows/{wid}/repair", json={"commitment": "信用承诺书"},
                                    headers=org_headers(uscc))
    assert unperformed.status_code == 409 and unperformed.json()["errors"][0]["rule"] == "CR-17"
    await client.post(f"/v1/listings/{entry['entry_id']}/obligation",
                      json={"performed_on": "2026-09-01", "evidence": ["已恢复联系"]}, headers=STAFF)
    applied = await client.post(f"/v1/publication-windows/{wid}/repair", json={"commitment": "信用承诺书"},
                                headers=org_headers(uscc))
    assert applied.status_code == 200 and applied.json()["repair_status"] == "pending"
    decided = await client.post(f"/v1/publication-windows/{wid}/repair-decision", json={"approved": True},
                                headers=STAFF)
    assert decided.json()["status"] == "repaired"
    assert (await profile(client, uscc))["abnormal_listed"] is True  # repair does not take it off the list
