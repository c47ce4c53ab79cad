"""The issue's "done means": an overdue annual report through the daily job to orange, then either removal after
filing and staff verification, or escalation after two full years to the serious list and red; each step an
event with its rule id."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from credit_factories import STAFF, daily, events, org_headers, profile, registered
from sqlalchemy import select

from yishe_contracts.envelope import Envelope
from yishe_contracts.events.registry import AnnualReportOverdue, AnnualReportSubmitted
from yishe_kit.testing import eventually, publish_envelope

pytestmark = pytest.mark.nats


async def _registered_and_overdue(client, nats_server, year: int = 2025) -> str:
    event = registered()
    await publish_envelope(nats_server.url, Envelope.wrap(event, source="registry"))
    await eventually(lambda: _colour(client, event.uscc, "green"))
    overdue = AnnualReportOverdue(uscc=event.uscc, year=year, deadline=date(year + 1, 5, 31),
                                  as_of=date(year + 1, 6, 1))
    await publish_envelope(nats_server.url, Envelope.wrap(overdue, source="registry"))
    await eventually(lambda: _colour(client, event.uscc, "yellow"))  # CODE-3: overdue, not yet listed
    return event.uscc


async def _colour(client, uscc: str, colour: str) -> bool:
    resp = await client.get(f"/v1/profiles/{uscc}")
    return resp.status_code == 200 and resp.json()["colour"] == colour


def _mine(result: dict, uscc: str) -> list[tuple[str, str]]:
    return [(c["what"], c["rule"]) for c in result["changes"] if c["uscc"] == uscc]


async def test_overdue_report_listed_orange_then_removed_when_filed_and_staff_verify(client, app, nats_server):
    uscc = await _registered_and_overdue(client, nats_server)
    assert (await profile(client, uscc))["colour_rule"] == "CODE-3/AR-1"

    assert _mine(await daily(client, date(2026, 5, 31)), uscc) == []  # not yet its day
    listed = await daily(client, date(2026, 6, 1))
    assert _mine(listed, uscc) == [("abnormal_listed", "CR-6.1"), ("colour_changed", "CODE-3/CR-6")]
    assert _mine(await daily(client, date(2026, 6, 1)), uscc) == []  # idempotent for the same day
    body = await profile(client, uscc)
    assert (body["colour"], body["abnormal_listed"], body["serious_listed"]) == ("orange", True, False)
    [entry] = body["list_entries"]
    assert (entry["trigger"], entry["listed_on"], entry["escalates_on"]) == ("CR-6.1", "2026-06-01", "2028-06-01")
    assert entry["evidence"] and "2025年度工作报告" in entry["evidence"][0]

    submitted = AnnualReportSubmitted(uscc=uscc, year=2025, submitted_at=datetime(2026, 7, 10, 2, tzinfo=UTC),
                                      deadline=date(2026, 5, 31), late=True, party_building_section=True)
    await publish_envelope(nats_server.url, Envelope.wrap(submitted, source="registry"))

    async def application():
        resp = await client.get("/v1/removal-applications", headers=STAFF)
        return [a for a in resp.json() if a["uscc"] == uscc]

    [app_row] = await eventually(application)
    assert (app_row["entry_id"], app_row["applied_on"]) == (entry["entry_id"], "2026-07-10")
    assert (await profile(client, uscc))["colour"] == "orange"  # filed, but not yet verified
    decided = await client.post(f"/v1/removal-applications/{app_row['application_id']}/decision",
                                json={"approved": True, "decided_on": "2026-07-14"}, headers=STAFF)
    assert decided.status_code == 200, decided.text
    assert decided.json()["removal_due"] == "2026-07-21"  # CR-10: within 5 working days of verification
    body = await profile(client, uscc)
    assert (body["colour"], body["abnormal_listed"]) == ("green", False)
    assert body["list_entries"][0]["removed_on"] == "2026-07-14"

    listing = await events(app, "credit.listing.changed.v1", uscc)
    assert [(e["action"], e["rule"], e["abnormal_listed"]) for e in listing] == [
        ("listed", "CR-6.1", True), ("removed", "CR-10", False)]
    assert (listing[0]["escalates_on"], listing[0]["removable_from"]) == ("2028-06-01", None)  # after filing
    colours = await events(app, "credit.colour.changed.v1", uscc)
    assert [(c["from_colour"], c["to_colour"], c["rule"]) for c in colours] == [
        ("green", "yellow", "CODE-3/AR-1"), ("yellow", "orange", "CODE-3/CR-6"), ("orange", "green", "CODE-3")]
    assert (colours[0]["until"], colours[1]["as_of"], colours[1]["until"]) == ("2026-06-01", "2026-06-01", None)
    await _all_published(app)


async def test_overdue_report_escalates_to_serious_and_red_when_never_filed_for_two_full_years(
        client, app, nats_server):
    uscc = await _registered_and_overdue(client, nats_server)
    await daily(client, date(2026, 6, 1))
    next_year = AnnualReportOverdue(uscc=uscc, year=2026, deadline=date(2027, 5, 31), as_of=date(2027, 6, 1))
    await publish_envelope(nats_server.url, Envelope.wrap(next_year, source="registry"))

    async def pending():
        resp = await client.get("/v1/triggers", headers=STAFF)
        return [t for t in resp.json() if t["uscc"] == uscc]

    await eventually(pending)
    # CR-9: listed again while listed; CR-17: the first listing's 信用中国 window (一般, at most 1 year) ends,
    # while the list status stays: the two are kept apart.
    assert _mine(await daily(client, date(2027, 6, 1)), uscc) == [("abnormal_relisted", "CR-6.1"),
                                                                 ("publication_expired", "CR-17")]
    assert _mine(await daily(client, date(2028, 5, 31)), uscc) == []  # two full years not yet complete

    escalated = await daily(client, date(2028, 6, 1))
    assert _mine(escalated, uscc) == [("abnormal_escalated", "CR-11"), ("abnormal_escalated", "CR-11"),
                                      ("serious_listed", "CR-12.1"), ("publication_expired", "CR-17"),
                                      ("colour_changed", "CODE-3/CR-12")]
    body = await profile(client, uscc)
    assert (body["colour"], body["abnormal_listed"], body["serious_listed"]) == ("red", False, True)
    serious = next(e for e in body["list_entries"] if e["list_type"] == "serious")
    assert serious["trigger"] == "CR-12.1" and len(serious["source_entry_ids"]) == 2
    assert sorted(serious["open_refs"]) == ["annual_report:2025", "annual_report:2026"]

    listing = await events(app, "credit.listing.changed.v1", uscc)
    assert [(e["list_type"], e["action"], e["rule"]) for e in listing] == [
        ("abnormal", "listed", "CR-6.1"), ("abnormal", "relisted", "CR-9"), ("serious", "listed", "CR-12.1"),
        ("abnormal", "escalated", "CR-11"), ("abnormal", "escalated", "CR-11")]
    assert all((e["abnormal_listed"], e["serious_listed"]) == (False, True) for e in listing[2:])
    assert listing[2]["removable_from"] == "2030-06-01"
    colours = await events(app, "credit.colour.changed.v1", uscc)
    assert (colours[-1]["from_colour"], colours[-1]["to_colour"], colours[-1]["as_of"], colours[-1]["until"]) == (
        "orange", "red", "2028-06-01", None)  # the reports must be filed too (CR-13): no date yet

    refused = await client.post(f"/v1/listings/{serious['entry_id']}/removal-applications",
                                json={"statement": "申请移出"}, headers=org_headers(uscc))
    assert refused.status_code == 409
    assert refused.json()["errors"][0]["rule"] == "CR-13" and "2030-06-01" in refused.json()["errors"][0]["message_zh"]
    await _all_published(app)


async def _all_published(app) -> None:
    """The relay put every credit event on NATS, where procurement and the gateway consume them."""
    table = app.state.outbox.table

    async def published():
        async with app.state.sessionmaker() as s:
            return (await s.scalar(select(table.c.seq).where(table.c.published_at.is_(None)).limit(1))) is None

    await eventually(published)
