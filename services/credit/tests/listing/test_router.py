"""Staff listing, removal on application, and refusals with the rule and the date (CR-6, CR-10, CR-12, CR-13)."""

from __future__ import annotations

from datetime import date

from credit_factories import STAFF, daily, events, list_manually, open_org, org_headers, penalty, profile


async def test_listing_refused_400_and_nothing_written_when_no_evidence(client, app) -> None:
    uscc = await open_org(app)
    resp = await list_manually(client, uscc, on=date(2026, 9, 1), evidence=["  "])
    assert resp.status_code == 400
    assert resp.json()["errors"][0] == {"field": "evidence", "rule": "CR-14", "message_zh": "列入名录必须附有事实证据",
                                        "message": "a listing must carry at least one item of evidence"}
    assert (await profile(client, uscc))["list_entries"] == []
    assert await events(app, "credit.listing.changed.v1", uscc) == []


async def test_listing_refused_400_when_trigger_belongs_to_other_list_or_is_automatic(client, app) -> None:
    uscc = await open_org(app)
    wrong = await list_manually(client, uscc, trigger="CR-12.4", list_type="abnormal", on=date(2026, 9, 1))
    assert wrong.status_code == 400 and wrong.json()["errors"][0]["rule"] == "CR-6"
    automatic = await list_manually(client, uscc, trigger="CR-12.1", list_type="serious", on=date(2026, 9, 1))
    assert automatic.status_code == 400 and automatic.json()["errors"][0]["rule"] == "CR-11"
    future = await list_manually(client, uscc, on=date(2099, 1, 1))
    assert future.status_code == 400 and future.json()["errors"][0]["field"] == "listed_on"


async def test_listing_403_when_not_staff_or_outside_division(client, app) -> None:
    uscc = await open_org(app, division="330302")
    assert (await list_manually(client, uscc, on=date(2026, 9, 1), headers=org_headers(uscc))).status_code == 403
    other = {**STAFF, "x-yishe-division": "330304"}
    resp = await list_manually(client, uscc, on=date(2026, 9, 1), headers=other)
    assert resp.status_code == 403 and resp.json()["code"] == "outside_jurisdiction"
    assert (await list_manually(client, uscc, on=date(2026, 9, 1),
                                headers={**STAFF, "x-yishe-division": "3303"})).status_code == 201


async def test_warning_lists_abnormal_and_is_removed_after_six_months_when_nothing_to_rectify(client, app) -> None:
    """CR-6.5 → orange; an early application is refused with the date; CR-10 removes it automatically."""
    uscc = await open_org(app)
    created = await penalty(client, uscc, kind="warning", on=date(2026, 3, 2))
    assert [(c["what"], c["rule"]) for c in created["changes"]] == [("abnormal_listed", "CR-6.5"),
                                                                     ("colour_changed", "CODE-3/CR-6")]
    body = await profile(client, uscc)
    [entry] = body["list_entries"]
    assert (entry["requires_obligation"], entry["removable_from"]) == (False, "2026-09-02")
    assert (body["colour"], body["colour_until"]) == ("orange", "2026-09-02")
    early = await client.post(f"/v1/listings/{entry['entry_id']}/removal-applications",
                              json={"statement": "已改正", "applied_on": "2026-08-01"}, headers=org_headers(uscc))
    assert early.status_code == 409
    assert early.json()["errors"][0]["rule"] == "CR-10" and "2026-09-02" in early.json()["errors"][0]["message_zh"]
    assert [c["rule"] for c in (await daily(client, date(2026, 9, 1)))["changes"] if c["uscc"] == uscc] == []
    removed = [c["rule"] for c in (await daily(client, date(2026, 9, 2)))["changes"] if c["uscc"] == uscc]
    assert removed == ["CR-10", "CODE-3"]
    assert (await profile(client, uscc))["colour"] == "green"


async def test_new_listing_restarts_the_six_month_clock_when_already_listed(client, app) -> None:
    """CR-9: the earlier entry stays until six months after the latest listing."""
    uscc = await open_org(app)
    await penalty(client, uscc, kind="warning", on=date(2026, 1, 5))
    again = await list_manually(client, uscc, trigger="CR-6.7", on=date(2026, 4, 1), requires_obligation=False)
    assert again.status_code == 201 and again.json()["action"] == "relisted"
    assert [c for c in (await daily(client, date(2026, 7, 5)))["changes"] if c["uscc"] == uscc] == []
    removed = [c["rule"] for c in (await daily(client, date(2026, 10, 1)))["changes"] if c["uscc"] == uscc]
    assert removed == ["CR-10", "CR-10", "CODE-3"]
    listing = await events(app, "credit.listing.changed.v1", uscc)
    assert [e["rule"] for e in listing] == ["CR-6.5", "CR-9", "CR-10", "CR-10"]


async def test_second_small_penalty_within_three_years_lists_serious_when_counted(client, app) -> None:
    """CR-12.5: two warnings / fines under ¥50,000 within three years → serious list and red."""
    uscc = await open_org(app)
    await penalty(client, uscc, kind="fine", amount="20000", on=date(2023, 12, 1), number="温民罚〔2023〕7号")
    second = await penalty(client, uscc, kind="warning", on=date(2026, 11, 2), number="温民罚〔2026〕9号")
    assert [(c["what"], c["rule"]) for c in second["changes"]][:2] == [("abnormal_relisted", "CR-6.5"),
                                                                       ("serious_listed", "CR-12.5")]
    body = await profile(client, uscc)
    serious = next(e for e in body["list_entries"] if e["list_type"] == "serious")
    assert "温民罚〔2023〕7号" in "".join(serious["evidence"]) and body["colour"] == "red"


async def test_small_penalties_more_than_three_years_apart_do_not_list_serious(client, app) -> None:
    uscc = await open_org(app)
    await penalty(client, uscc, kind="warning", on=date(2023, 10, 1))
    second = await penalty(client, uscc, kind="warning", on=date(2026, 10, 2))
    assert "CR-12.5" not in [c["rule"] for c in second["changes"]]
    assert (await profile(client, uscc))["serious_listed"] is False


async def test_fine_of_fifty_thousand_lists_serious_but_just_below_lists_abnormal(client, app) -> None:
    """CR-12.4 vs CR-6.5 at the configured ¥50,000 threshold."""
    big, small = await open_org(app), await open_org(app)
    assert (await penalty(client, big, kind="fine", amount="50000.00", on=date(2026, 5, 6)))["changes"][0]["rule"] \
        == "CR-12.4"
    assert (await penalty(client, small, kind="fine", amount="49999.99", on=date(2026, 5, 6)))["changes"][0]["rule"] \
        == "CR-6.5"


async def test_serious_removal_allowed_after_two_clean_years_when_verified(client, app) -> None:
    """CR-13: two full years on the list, no new listing → apply → staff verify → removed."""
    uscc = await open_org(app)
    await penalty(client, uscc, kind="fine", amount="80000", on=date(2024, 1, 10))
    [entry] = (await profile(client, uscc))["list_entries"]
    assert entry["removable_from"] == "2026-01-10"
    applied = await client.post(f"/v1/listings/{entry['entry_id']}/removal-applications",
                                json={"statement": "两年内无新的失信行为", "applied_on": "2026-02-02"},
                                headers=org_headers(uscc))
    assert applied.status_code == 201, applied.text
    decided = await client.post(f"/v1/removal-applications/{applied.json()['application_id']}/decision",
                                json={"approved": True, "decided_on": "2026-02-05"}, headers=STAFF)
    assert decided.status_code == 200 and decided.json()["status"] == "approved"
    body = await profile(client, uscc)
    assert (body["serious_listed"], body["list_entries"][0]["end_rule"]) == (False, "CR-13")


async def test_serious_removal_refused_until_two_years_after_a_new_listing_when_relisted_meanwhile(client, app):
    """CR-13 with CR-9: an abnormal listing while on the serious list restarts the two clean years."""
    uscc = await open_org(app)
    await penalty(client, uscc, kind="fine", amount="80000", on=date(2024, 1, 10))
    await list_manually(client, uscc, trigger="CR-6.7", on=date(2025, 3, 1))
    serious = next(e for e in (await profile(client, uscc))["list_entries"] if e["list_type"] == "serious")
    assert serious["removable_from"] == "2027-03-01"
    resp = await client.post(f"/v1/listings/{serious['entry_id']}/removal-applications",
                             json={"statement": "申请移出", "applied_on": "2026-11-01"}, headers=org_headers(uscc))
    assert resp.status_code == 409 and "2027-03-01" in resp.json()["errors"][0]["message_zh"]


async def test_removal_refused_until_obligation_performed_then_allowed_when_staff_record_it(client, app) -> None:
    """CR-10: something to perform → application refused (no date) until staff record it performed."""
    uscc = await open_org(app)
    entry = (await list_manually(client, uscc, trigger="CR-6.6", on=date(2026, 8, 3))).json()
    assert (entry["requires_obligation"], entry["obligation"]) == (True, "恢复通过登记住所的联系")
    refused = await client.post(f"/v1/listings/{entry['entry_id']}/removal-applications",
                                json={"statement": "已恢复联系"}, headers=org_headers(uscc))
    assert refused.status_code == 409 and refused.json()["errors"][0]["rule"] == "CR-10"
    own = await profile(client, uscc, org_headers(uscc))  # CODE-4: what to do to leave, and by when
    assert own["to_leave"] == [{"entry_id": entry["entry_id"], "list_type": "abnormal", "trigger": "CR-6.6",
                                "obligation": "恢复通过登记住所的联系", "obligation_met_on": None,
                                "removable_from": None, "escalates_on": "2028-08-03"}]
    performed = await client.post(f"/v1/listings/{entry['entry_id']}/obligation",
                                  json={"performed_on": "2026-09-01", "evidence": ["现场核查：已在登记住所办公"]},
                                  headers=STAFF)
    assert performed.status_code == 200 and performed.json()["obligation_met_on"] == "2026-09-01"
    applied = await client.post(f"/v1/listings/{entry['entry_id']}/removal-applications",
                                json={"statement": "已恢复联系", "applied_on": "2026-09-02"}, headers=org_headers(uscc))
    assert applied.status_code == 201
    refused_verification = await client.post(
        f"/v1/removal-applications/{applied.json()['application_id']}/decision",
        json={"approved": True, "decided_on": "2026-09-01"}, headers=STAFF)
    assert refused_verification.status_code == 409  # verification cannot precede the application
    ok = await client.post(f"/v1/removal-applications/{applied.json()['application_id']}/decision",
                           json={"approved": True, "decided_on": "2026-09-04"}, headers=STAFF)
    assert ok.status_code == 200 and (await profile(client, uscc))["abnormal_listed"] is False


async def test_public_list_shows_exactly_the_public_fields_when_read_without_role(client, app) -> None:
    """CR-14: name, USCC, list, reason, legal basis, listing date, authority, removal date and reason."""
    uscc = await open_org(app)
    await list_manually(client, uscc, trigger="CR-6.6", on=date(2026, 8, 3))
    public = (await client.get("/v1/lists/abnormal")).json()
    mine = [e for e in public if e["uscc"] == uscc]
    assert len(mine) == 1 and set(mine[0]) == {"org_name", "uscc", "list_type", "reason", "legal_basis",
                                               "listed_on", "decided_by", "removed_on", "removal_reason"}
    staff = [e for e in (await client.get("/v1/lists/abnormal", headers=STAFF)).json() if e["uscc"] == uscc]
    assert staff[0]["evidence"] == ["温民函〔2026〕1号 调查笔录"] and staff[0]["trigger"] == "CR-6.6"
    assert [e for e in (await client.get("/v1/lists/serious")).json() if e["uscc"] == uscc] == []
    entry_public = (await client.get(f"/v1/listings/{mine[0]['uscc'] and staff[0]['entry_id']}")).json()
    assert "evidence" not in entry_public


async def test_exemption_refused_409_when_cr8_disabled(client, app) -> None:
    resp = await client.post("/v1/triggers/1/exemption", json={"evidence": ["证明"], "exempted_on": "2026-09-01"},
                             headers=STAFF)
    assert resp.status_code == 409 and resp.json()["errors"][0]["rule"] == "CR-8"


async def test_a_back_dated_listing_colours_from_its_own_day_and_its_removal_from_its_end(client, app) -> None:
    """CODE-3 + CODE-5 (issue 13): a listing recorded now for 2025-06-02 (CR-6.7, nothing to rectify) turns the
    colour orange as effective from 2025-06-02, not from the day credit recorded it; the daily job's catch-up
    removes it on the day its 6 months are full (CR-10) and the colour turns green as effective from that day."""
    from sqlalchemy import select

    from yishe_contracts.envelope import Envelope

    uscc = await open_org(app, registration_date=date(2024, 3, 1))
    resp = await list_manually(client, uscc, on=date(2025, 6, 2), requires_obligation=False)
    assert resp.status_code == 201, resp.text
    await daily(client, date(2026, 1, 20))  # late: the removal was due on 2025-12-02
    table = app.state.outbox.table
    async with app.state.sessionmaker() as s:
        payloads = (await s.scalars(select(table.c.payload).where(table.c.subject == "credit.colour.changed.v1")
                                    .order_by(table.c.seq))).all()
    colours = [(e.data["to_colour"], e.data["rule"], e.effectivedate) for e in map(Envelope.model_validate_json,
                                                                                   payloads) if e.subject == uscc]
    assert colours == [("orange", "CODE-3/CR-6", date(2025, 6, 2)), ("green", "CODE-3", date(2025, 12, 2))]
