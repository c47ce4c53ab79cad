from __future__ import annotations

from datetime import date

from registry_factories import STAFF, events, registered


async def test_pretax_deduction_needs_3a_and_expires_after_three_years(client, app, clock) -> None:
    clock(date(2020, 1, 1))
    org = await registered(client, date(2020, 1, 1), "基金会")
    uscc = org["uscc"]
    clock(date(2025, 1, 10))
    url = f"/v1/organisations/{uscc}/qualifications"
    body = {"kind": "pretax_deduction", "granted_on": "2025-01-10", "document_no": "温财税〔2025〕1号"}
    refused = await client.post(url, json=body, headers=STAFF)
    assert refused.status_code == 400 and refused.json()["errors"][0]["rule"] == "EVAL-6"
    await client.post(f"/v1/organisations/{uscc}/grades", json={"grade": "3A", "announced_on": "2025-01-05"},
                      headers=STAFF)
    granted = await client.post(url, json=body, headers=STAFF)
    assert granted.status_code == 201 and granted.json()["valid_until"] == "2028-01-09"
    # a late run (2028-03-01, issue 13) still dates the expiry by the last valid day
    job = (await client.post("/v1/jobs/daily?wait=true&as_of=2028-03-01", headers=STAFF)).json()
    assert job["qualifications_expired"]["count"] == 1
    changes = [(e["change"], e["changed_on"]) for e in await events(app, "registry.qualification.changed.v1", uscc)]
    assert changes == [("granted", "2025-01-10"), ("expired", "2028-01-09")]


async def test_public_fundraising_needs_charity_status_first(client, clock) -> None:
    clock(date(2020, 1, 1))
    org = await registered(client, date(2020, 1, 1), "基金会")
    clock(date(2025, 1, 10))
    url = f"/v1/organisations/{org['uscc']}/qualifications"
    first = await client.post(url, json={"kind": "public_fundraising", "granted_on": "2025-01-10"}, headers=STAFF)
    assert first.status_code == 400 and first.json()["errors"][0]["rule"] == "QUAL-2"
    assert (await client.post(url, json={"kind": "charity", "granted_on": "2025-01-02"},
                              headers=STAFF)).status_code == 201
    assert (await client.post(url, json={"kind": "public_fundraising", "granted_on": "2025-01-10"},
                              headers=STAFF)).status_code == 201
    twice = await client.post(url, json={"kind": "charity", "granted_on": "2025-01-10"}, headers=STAFF)
    assert twice.status_code == 409


async def test_major_matter_filed_by_the_organisation_with_event(client, app, clock) -> None:
    org = await registered(client, clock(date(2026, 5, 1)))
    headers = {"x-yishe-role": "org", "x-yishe-actor": org["uscc"]}
    resp = await client.post(f"/v1/organisations/{org['uscc']}/matters", headers=headers,
                             json={"matter_type": "接受境外捐赠", "summary": "接受香港某基金会捐赠10万元",
                                   "occurred_on": "2026-05-20"})
    assert resp.status_code == 201
    [event] = await events(app, "registry.matter.filed.v1", org["uscc"])
    assert event["matter_type"] == "接受境外捐赠"
    assert (await client.get(f"/v1/organisations/{org['uscc']}/matters")).status_code == 403
