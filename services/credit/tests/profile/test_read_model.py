"""The 一社一码 read model (yishe_kit.readmodel): the gateway's read of a credit profile comes from it, equals the
live route byte for byte, and shows every kind of change on the very next read (lists, colour, warnings, complaints,
the daily job)."""

from __future__ import annotations

from datetime import date

from credit_factories import STAFF, daily, list_manually, new_uscc, open_org, penalty

GATEWAY = {"x-yishe-role": "internal", "x-yishe-actor": "gateway"}
LIVE = {"x-yishe-role": "internal", "x-yishe-actor": "operator"}  # the same view, through FastAPI's route


async def read(client, uscc: str) -> dict:
    """The gateway's read, checked against the live route; returns the profile."""
    fast = await client.get(f"/v1/profiles/{uscc}", headers=GATEWAY)
    live = await client.get(f"/v1/profiles/{uscc}", headers=LIVE)
    assert fast.status_code == live.status_code == 200, fast.text
    assert fast.content == live.content
    return fast.json()


async def held(client, app, uscc: str) -> dict:
    """Read twice: the second read is served from the stored fragment (no build)."""
    await read(client, uscc)
    builds = app.state.read_model.builds
    body = await read(client, uscc)
    assert app.state.read_model.builds == builds
    return body


async def test_gateway_read_is_the_stored_internal_view_and_unknown_codes_are_404(client, app) -> None:
    uscc = await open_org(app)
    body = await held(client, app, uscc)
    assert body["colour"] == "green" and body["colour_history"][0]["to_colour"] == "green"
    missing = await client.get(f"/v1/profiles/{new_uscc()}", headers=GATEWAY)
    assert missing.status_code == 404 and missing.json()["code"] == "credit_profile_not_found"


async def test_a_listing_and_a_penalty_show_on_the_next_read(client, app) -> None:
    uscc = await open_org(app)
    await held(client, app, uscc)
    assert (await list_manually(client, uscc, on=date(2026, 9, 1))).status_code == 201
    listed = await read(client, uscc)
    assert listed["abnormal_listed"] is True and listed["colour"] == "orange"
    assert [e["trigger"] for e in listed["list_entries"]] == ["CR-6.7"] and listed["to_leave"]
    await held(client, app, uscc)
    fined = await penalty(client, uscc, kind="warning", on=date(2026, 9, 2))
    assert fined["changes"]
    assert len((await read(client, uscc))["list_entries"]) == 2


async def test_warnings_raised_and_resolved_show_on_the_next_read(client, app) -> None:
    uscc = await open_org(app)
    await held(client, app, uscc)
    raised = await client.post(f"/v1/profiles/{uscc}/warnings", headers=STAFF, json={
        "rule": "REG-10", "reason": "负责人超龄", "evidence": ["温民函〔2026〕9号"], "raised_on": "2026-11-01"})
    assert raised.status_code == 201, raised.text
    warned = await read(client, uscc)
    assert warned["colour"] == "yellow" and [w["rule"] for w in warned["early_warnings"]] == ["REG-10"]
    await held(client, app, uscc)
    resolved = await client.post(f"/v1/warnings/{raised.json()['warning_id']}/resolution", headers=STAFF,
                                 json={"resolution": "已换届", "resolved_on": "2026-11-10"})
    assert resolved.status_code == 200, resolved.text
    back = await read(client, uscc)
    assert back["colour"] == "green" and back["early_warnings"] == []


async def test_a_complaint_under_verification_shows_on_the_next_read(client, app) -> None:
    uscc = await open_org(app)
    await held(client, app, uscc)
    received = await client.post("/v1/complaints", json={"kind": "complaint", "target_uscc": uscc,
                                                          "target_name": "某协会", "content": "收费不开票据"})
    assert received.status_code == 201
    [cid] = [c["complaint_id"] for c in (await client.get("/v1/complaints", headers=STAFF)).json()
             if c["target_uscc"] == uscc]
    await held(client, app, uscc)
    triaged = await client.post(f"/v1/complaints/{cid}/triage", json={"accepted": True, "category": "乱收费"},
                                headers=STAFF)
    assert triaged.status_code == 200, triaged.text
    assert "P-COMPLAINT" in [w["rule"] for w in (await read(client, uscc))["early_warnings"]]


async def test_the_daily_job_shows_on_the_next_read(client, app) -> None:
    uscc = await open_org(app)
    await penalty(client, uscc, kind="warning", on=date(2026, 3, 2))
    assert (await held(client, app, uscc))["colour"] == "orange"
    await daily(client, date(2026, 9, 2))  # CR-10: removed after six months
    body = await read(client, uscc)
    assert body["colour"] == "green" and body["abnormal_listed"] is False
