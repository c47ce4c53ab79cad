from __future__ import annotations

from datetime import date

from registry_factories import CHIEF, STAFF, id_number, registered

GRADUATE_ID = id_number(date(2002, 7, 1), 123)
OTHER_DISTRICT = {"x-yishe-role": "staff", "x-yishe-actor": "longwan-1", "x-yishe-division": "330303"}


def months(first: tuple[int, int], n: int, paid: str = "1234.50") -> list[dict]:
    year, month = first
    out = []
    for _ in range(n):
        out.append({"month": f"{year}-{month:02d}", "contribution_paid": paid})
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return out


def graduate(ms: list[dict], graduated: str = "2024-06-30", hired: str = "2025-12-30") -> dict:
    return {"graduate": {"name": "王小明", "id_number": GRADUATE_ID}, "graduation_date": graduated,
            "hired_on": hired, "months": ms}


def rules_of(resp) -> set[tuple[str, str]]:
    return {(e["field"], e["rule"]) for e in resp.json()["errors"]}


async def test_a_graduate_hired_18_months_after_graduating_earns_at_most_12_months_on_paid_months(
        client, clock) -> None:
    """SUB-1 (within 2 years), SUB-2 (12 months), SUB-3 (months actually paid, amount their sum), SUB-4 (never twice
    for the same person and month)."""
    org = await registered(client, clock(date(2025, 1, 10)))
    url = f"/v1/organisations/{org['uscc']}/subsidies/graduate"
    clock(date(2027, 2, 1))
    first = months((2025, 12), 6, "1200.00") + months((2026, 6), 4, "1300.25")
    resp = await client.post(url, json=graduate(first), headers=STAFF)
    assert resp.status_code == 201, resp.text
    assert resp.json()["amount"] == "12401.00" and len(resp.json()["months"]) == 10
    thirteenth = await client.post(url, json=graduate(months((2026, 10), 3)), headers=STAFF)
    assert thirteenth.status_code == 400 and rules_of(thirteenth) == {("months[2].month", "SUB-2")}
    twice = await client.post(url, json=graduate(months((2026, 9), 1)), headers=STAFF)
    assert twice.status_code == 400 and rules_of(twice) == {("months[0].month", "SUB-4")}
    unpaid = await client.post(url, json=graduate([{"month": "2026-10", "contribution_paid": "0"},
                                                   {"month": "2027-03", "contribution_paid": "1000"}]), headers=STAFF)
    assert rules_of(unpaid) == {("months[0].contribution_paid", "SUB-3"), ("months[1].month", "SUB-3")}
    last_two = await client.post(url, json=graduate(months((2026, 10), 2, "1250.00")), headers=STAFF)
    assert last_two.status_code == 201 and last_two.json()["amount"] == "2500.00"
    ledger = (await client.get(f"/v1/organisations/{org['uscc']}/subsidies?year=2027", headers=STAFF)).json()
    assert [len(a["months"]) for a in ledger["applications"]] == [10, 2] and ledger["requested"] == "14901.00"


async def test_outside_the_window_negative_amounts_and_nothing_written(client, clock) -> None:
    """SUB-1: hired more than 2 years after graduating; SUB-5: negative amounts; nothing is written."""
    org = await registered(client, clock(date(2025, 1, 10)))
    base = f"/v1/organisations/{org['uscc']}/subsidies"
    clock(date(2027, 2, 1))
    late = await client.post(f"{base}/graduate", headers=STAFF, json=graduate(
        [{"month": "2025-02", "contribution_paid": "-5"}], graduated="2022-06-30", hired="2025-01-15"))
    assert late.status_code == 400
    assert rules_of(late) == {("hired_on", "SUB-1"), ("months[0].contribution_paid", "SUB-5")}
    training = await client.post(f"{base}/training", headers=STAFF, json={
        "kind": "training", "person": {"name": "李四", "id_number": GRADUATE_ID}, "item": "社会工作实务培训",
        "completed_on": "2026-11-01", "amount": "-300"})
    assert training.status_code == 400 and rules_of(training) == {("amount", "SUB-5")}
    assert (await client.get(f"{base}?year=2027", headers=STAFF)).json()["applications"] == []


async def test_personal_data_is_shown_in_full_only_to_the_handling_staff_member(client, clock) -> None:
    """SUB-7: the handler sees name and ID number; other staff, the organisation itself see them masked; another
    district's staff may not read the ledger at all (AUTH-2)."""
    org = await registered(client, clock(date(2025, 1, 10)))
    uscc = org["uscc"]
    clock(date(2027, 2, 1))
    own = {"x-yishe-role": "org", "x-yishe-actor": uscc}
    made = await client.post(f"/v1/organisations/{uscc}/subsidies/graduate", headers=own,
                             json=graduate(months((2026, 1), 2)))
    assert made.status_code == 201 and made.json()["personal_data"] == "masked"
    assert made.json()["person_id_number"] != GRADUATE_ID and made.json()["person_name"] == "王**"
    app_id = made.json()["application_id"]
    approved = await client.post(f"/v1/organisations/{uscc}/subsidies/{app_id}/approve", json={}, headers=STAFF)
    assert approved.json()["handled_by"] == "clerk-1" and approved.json()["person_id_number"] == GRADUATE_ID
    url = f"/v1/organisations/{uscc}/subsidies?year=2027"
    [mine] = (await client.get(url, headers=STAFF)).json()["applications"]
    assert (mine["person_name"], mine["person_id_number"]) == ("王小明", GRADUATE_ID)
    for headers in (CHIEF, own):
        text = (await client.get(url, headers=headers)).text
        assert GRADUATE_ID not in text and "王小明" not in text and "王**" in text
    assert (await client.get(url, headers=OTHER_DISTRICT)).status_code == 403
    assert (await client.get(url)).status_code == 403


async def test_approval_payment_dates_and_the_ledger(client, clock) -> None:
    """Approval then payment, each dated (not in the future, not before the previous step); a refused application
    frees its months (SUB-4); a skills certificate is subsidised once per person (SUB-6)."""
    org = await registered(client, clock(date(2025, 1, 10)))
    base = f"/v1/organisations/{org['uscc']}/subsidies"
    clock(date(2027, 2, 1))
    first = (await client.post(f"{base}/graduate", headers=STAFF, json=graduate(months((2026, 1), 3)))).json()
    early = await client.post(f"{base}/{first['application_id']}/pay", json={}, headers=STAFF)
    assert early.status_code == 409
    future = await client.post(f"{base}/{first['application_id']}/approve", json={"on": "2027-03-01"}, headers=STAFF)
    assert future.status_code == 400
    await client.post(f"{base}/{first['application_id']}/approve", json={"on": "2027-02-01"}, headers=STAFF)
    paid = await client.post(f"{base}/{first['application_id']}/pay", json={}, headers=STAFF)
    assert (paid.json()["status"], paid.json()["approved_on"], paid.json()["paid_on"]) == (
        "paid", "2027-02-01", "2027-02-01")
    second = (await client.post(f"{base}/graduate", headers=STAFF, json=graduate(months((2026, 4), 2)))).json()
    await client.post(f"{base}/{second['application_id']}/reject", json={"note": "材料不全"}, headers=STAFF)
    again = await client.post(f"{base}/graduate", headers=STAFF, json=graduate(months((2026, 4), 2)))
    assert again.status_code == 201
    cert = {"kind": "skills_certificate", "person": {"name": "李四", "id_number": GRADUATE_ID},
            "item": "助理社会工作师", "certificate_no": "S2026-001", "completed_on": "2026-11-01", "amount": "1500"}
    assert (await client.post(f"{base}/training", headers=STAFF, json=cert)).status_code == 201
    dup = await client.post(f"{base}/training", headers=STAFF, json=cert)
    assert dup.status_code == 400 and rules_of(dup) == {("item", "SUB-6")}
    ledger = (await client.get(f"{base}?year=2027", headers=STAFF)).json()
    assert [a["status"] for a in ledger["applications"]] == ["paid", "rejected", "submitted", "submitted"]
    assert (ledger["requested"], ledger["approved"], ledger["paid"]) == ("7672.50", "3703.50", "3703.50")


async def test_a_month_claimed_by_one_organisation_cannot_be_claimed_by_another(client, clock) -> None:
    """SUB-4 across organisations: the graduate's month is subsidised once, whoever employs them."""
    today = clock(date(2025, 1, 10))
    first, second = await registered(client, today), await registered(client, today)
    clock(date(2027, 2, 1))
    taken = await client.post(f"/v1/organisations/{first['uscc']}/subsidies/graduate", headers=STAFF,
                              json=graduate(months((2026, 1), 2)))
    assert taken.status_code == 201
    again = await client.post(f"/v1/organisations/{second['uscc']}/subsidies/graduate", headers=STAFF,
                              json=graduate(months((2026, 2), 2)))
    assert again.status_code == 400 and rules_of(again) == {("months[0].month", "SUB-4")}
