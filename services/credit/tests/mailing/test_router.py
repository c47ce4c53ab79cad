"""CR-7: two unsigned dedicated letters within the configured interval → CR-6.6."""

from __future__ import annotations

import uuid

from credit_factories import STAFF, events, open_org, profile


async def send(client, uscc: str, on: str):
    return await client.post("/v1/mailings", json={"uscc": uscc, "tracking_number": f"EMS{uuid.uuid4().hex[:10]}",
                                                   "address": "温州市鹿城区人民路1号", "sent_on": on}, headers=STAFF)


async def outcome(client, mailing_id: int, signed: bool, on: str):
    return await client.post(f"/v1/mailings/{mailing_id}/outcome", json={"signed": signed, "outcome_on": on},
                             headers=STAFF)


async def test_two_unsigned_letters_list_unreachable_with_both_as_evidence_when_in_window(client, app) -> None:
    uscc = await open_org(app)
    first = (await send(client, uscc, "2026-08-03")).json()
    await outcome(client, first["mailing_id"], False, "2026-08-10")
    body = await profile(client, uscc)
    assert (body["colour"], body["colour_rule"]) == ("yellow", "CODE-3/CR-7")  # first letter unsigned
    early = await send(client, uscc, "2026-08-17")
    assert early.status_code == 400 and early.json()["errors"][0]["rule"] == "CR-7"
    assert "2026-08-18" in early.json()["errors"][0]["message_zh"]
    second = (await send(client, uscc, "2026-08-20")).json()
    assert second["sequence"] == 2
    listed = (await outcome(client, second["mailing_id"], False, "2026-08-27")).json()
    assert listed["entry_id"] is not None
    [entry] = (await profile(client, uscc))["list_entries"]
    assert entry["trigger"] == "CR-6.6" and first["tracking_number"] in entry["evidence"][0]
    assert second["tracking_number"] in entry["evidence"][1]
    assert (await events(app, "credit.listing.changed.v1", uscc))[0]["trigger"] == "CR-6.6"


async def test_a_late_second_letter_starts_a_new_pair_when_past_the_maximum_interval(client, app) -> None:
    uscc = await open_org(app)
    first = (await send(client, uscc, "2026-07-01")).json()
    await outcome(client, first["mailing_id"], False, "2026-07-05")
    late = (await send(client, uscc, "2026-08-10")).json()
    assert late["sequence"] == 1
    await outcome(client, late["mailing_id"], False, "2026-08-15")
    assert (await profile(client, uscc))["abnormal_listed"] is False


async def test_signed_letter_clears_the_warning_when_recorded(client, app) -> None:
    uscc = await open_org(app)
    first = (await send(client, uscc, "2026-07-01")).json()
    await outcome(client, first["mailing_id"], False, "2026-07-05")
    second = (await send(client, uscc, "2026-07-20")).json()
    await outcome(client, second["mailing_id"], True, "2026-07-22")
    assert (await profile(client, uscc))["colour"] == "green"
    again = await outcome(client, second["mailing_id"], False, "2026-07-23")
    assert again.status_code == 409
