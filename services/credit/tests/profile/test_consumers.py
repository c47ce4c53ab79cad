from __future__ import annotations

from datetime import date, timedelta

import pytest
from credit_factories import STAFF, events, open_org, registered

from yishe_contracts.envelope import Envelope
from yishe_contracts.events.registry import (
    GradeChanged,
    OrganisationChanged,
    OrganisationStatusChanged,
)
from yishe_kit.testing import eventually, publish_envelope


async def _body(client, uscc: str, predicate):
    async def check():
        resp = await client.get(f"/v1/profiles/{uscc}", headers=STAFF)
        return resp.json() if resp.status_code == 200 and predicate(resp.json()) else None

    return await eventually(check)


@pytest.mark.nats
async def test_registration_opens_green_profile_with_history_and_event(client, app, nats_server) -> None:
    event = registered()
    await publish_envelope(nats_server.url, Envelope.wrap(event, source="registry"))

    async def public():
        resp = await client.get(f"/v1/profiles/{event.uscc}")
        return resp.json() if resp.status_code == 200 else None

    body = await eventually(public)
    assert (body["colour"], body["colour_rule"]) == ("green", "CODE-3")
    assert body["colour_history"] is None and body["early_warnings"] is None  # the public sees neither
    staff = (await client.get(f"/v1/profiles/{event.uscc}", headers=STAFF)).json()
    assert [(c["from_colour"], c["to_colour"]) for c in staff["colour_history"]] == [(None, "green")]


async def test_profile_lookup_400_when_code_malformed(client) -> None:
    resp = await client.get("/v1/profiles/51330300MJ8A2T011")
    assert resp.status_code == 400 and resp.json()["errors"][0]["rule"] == "USCC-1"


@pytest.mark.nats
async def test_revocation_lists_serious_and_red_then_removed_when_deregistered(client, app, nats_server) -> None:
    """CR-12.7 吊销 → serious list, red; CR-13: removed once 注销 completes (not on application)."""
    uscc = await open_org(app)
    revoked = OrganisationStatusChanged(uscc=uscc, from_status="active", to_status="certificate_revoked",
                                        rule="REG-2", reason="违法情节严重", effective_date=date(2026, 9, 1),
                                        decided_by="温州市民政局")
    await publish_envelope(nats_server.url, Envelope.wrap(revoked, source="registry"))
    body = await _body(client, uscc, lambda b: b["colour"] == "red")
    [entry] = body["list_entries"]
    assert (entry["trigger"], entry["list_type"], entry["removable_from"]) == ("CR-12.7", "serious", None)
    refused = await client.post(f"/v1/listings/{entry['entry_id']}/removal-applications",
                                json={"statement": "申请"}, headers=STAFF)
    assert refused.status_code == 409 and refused.json()["errors"][0]["rule"] == "CR-13"

    deregistered = OrganisationStatusChanged(uscc=uscc, from_status="certificate_revoked", to_status="deregistered",
                                             rule="REG-2", reason="清算完毕", effective_date=date(2026, 10, 8),
                                             decided_by="温州市民政局")
    await publish_envelope(nats_server.url, Envelope.wrap(deregistered, source="registry"))
    body = await _body(client, uscc, lambda b: not b["serious_listed"])
    assert body["list_entries"][0]["removed_on"] == "2026-10-08"
    listing = await events(app, "credit.listing.changed.v1", uscc)
    assert [(e["action"], e["rule"]) for e in listing] == [("listed", "CR-12.7"), ("removed", "CR-13")]


@pytest.mark.nats
async def test_grade_makes_blue_and_downgrade_yellow_when_events_arrive(client, app, nats_server) -> None:
    """CODE-3: blue = green + valid 3A+ + no penalty in 3 years; a downgrade within 12 months is yellow."""
    uscc = await open_org(app)
    today = date.today()
    month_ago = today - timedelta(days=30)
    awarded = GradeChanged(uscc=uscc, change="awarded", grade="4A", valid_from=month_ago,
                           valid_until=today + timedelta(days=1000), rule="EVAL-8", changed_on=month_ago)
    await publish_envelope(nats_server.url, Envelope.wrap(awarded, source="registry"))
    body = await _body(client, uscc, lambda b: b["colour"] == "blue")
    assert (body["colour_rule"], body["grade"]) == ("CODE-3/EVAL-6", "4A")
    downgraded = GradeChanged(uscc=uscc, change="downgraded", grade="2A", previous_grade="4A",
                              valid_until=today + timedelta(days=1000), rule="EVAL-7", changed_on=today)
    await publish_envelope(nats_server.url, Envelope.wrap(downgraded, source="registry"))
    body = await _body(client, uscc, lambda b: b["colour"] == "yellow")
    assert body["colour_rule"] == "CODE-3/EVAL-7"
    assert any(r["kind"] == "grade_downgraded" for r in (await client.get(f"/v1/profiles/{uscc}/records")).json())


@pytest.mark.nats
async def test_leader_change_recorded_as_basic_information_when_change_registered(client, app, nats_server) -> None:
    uscc = await open_org(app)
    changed = OrganisationChanged(uscc=uscc, changes={"legal_representative": {"before": "张三", "after": "李四"}},
                                  changed_at="2026-09-01T02:00:00Z", change_date=date(2026, 9, 1))
    envelope = Envelope.wrap(changed, source="registry")
    await publish_envelope(nats_server.url, envelope)
    await publish_envelope(nats_server.url, envelope, msg_id="again")  # the same fact twice

    async def records():
        resp = await client.get(f"/v1/profiles/{uscc}/records", headers=STAFF)
        return [r for r in resp.json() if r["kind"] == "leader_change"]

    [record] = await eventually(records)
    assert (record["category"], record["category_label"]) == ("basic", "基础信息")
