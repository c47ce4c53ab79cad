"""Event-driven triggers: Party coverage (CR-6.2), annual reports with a notice period, the CR-8 exemption."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from credit_factories import STAFF, apply_fact, daily, open_org, profile

from yishe_contracts.envelope import Envelope
from yishe_contracts.events.party import CoverageChanged
from yishe_contracts.events.registry import AnnualReportOverdue, AnnualReportSubmitted
from yishe_credit.listing import facts as listing_facts
from yishe_credit.record import facts as record_facts
from yishe_kit.testing import eventually, publish_envelope


def coverage(uscc: str, covered: bool, as_of: date, due: date | None = None) -> CoverageChanged:
    return CoverageChanged(uscc=uscc, required=True, covered=covered, route="own_organisation", rule="PARTY-1",
                           reason="正式党员3名以上" + ("，已建立党支部" if covered else "，尚未建立党组织"),
                           due_date=due, as_of=as_of)


@pytest.mark.nats
async def test_party_not_covered_lists_on_due_date_and_covered_opens_removal_when_set_up(client, app, nats_server):
    uscc = await open_org(app)
    await publish_envelope(nats_server.url, Envelope.wrap(coverage(uscc, False, date(2026, 3, 1), date(2026, 6, 1)),
                                                          source="party"))

    async def yellow():
        body = await profile(client, uscc)
        return body if body["colour"] == "yellow" else None

    assert (await eventually(yellow))["colour_rule"] == "CODE-3/CR-6.2"
    assert [c["rule"] for c in (await daily(client, date(2026, 5, 31)))["changes"] if c["uscc"] == uscc] == []
    listed = [c["rule"] for c in (await daily(client, date(2026, 6, 1)))["changes"] if c["uscc"] == uscc]
    assert listed == ["CR-6.2", "CODE-3/CR-6"]
    await publish_envelope(nats_server.url, Envelope.wrap(coverage(uscc, True, date(2026, 7, 1)), source="party"))

    async def application():
        resp = await client.get("/v1/removal-applications", headers=STAFF)
        return [a for a in resp.json() if a["uscc"] == uscc]

    [row] = await eventually(application)
    assert row["applied_on"] == "2026-07-01" and "党支部" in row["statement"]


async def test_covered_before_due_date_cancels_the_trigger_when_never_listed(client, app) -> None:
    uscc = await open_org(app)
    await apply_fact(app, listing_facts.coverage_changed,
                     coverage(uscc, False, date(2026, 3, 1), date(2026, 6, 1)))
    await apply_fact(app, listing_facts.coverage_changed,
                     coverage(uscc, True, date(2026, 5, 1)))
    assert [c for c in (await daily(client, date(2026, 6, 2)))["changes"] if c["uscc"] == uscc] == []
    cancelled = (await client.get("/v1/triggers?status=cancelled", headers=STAFF)).json()
    assert [t["trigger"] for t in cancelled if t["uscc"] == uscc] == ["CR-6.2"]
    assert (await profile(client, uscc))["colour"] == "green"


async def test_notice_period_delays_the_listing_when_configured(custom) -> None:
    async with custom(listing={"notice_days": 10}) as (app, client):
        uscc = await open_org(app)
        await apply_fact(app, record_facts.report_overdue,
                         AnnualReportOverdue(uscc=uscc, year=2025, deadline=date(2026, 5, 31), as_of=date(2026, 6, 1)))
        assert [c for c in (await daily(client, date(2026, 6, 10)))["changes"] if c["uscc"] == uscc] == []
        assert [c["rule"] for c in (await daily(client, date(2026, 6, 11)))["changes"] if c["uscc"] == uscc] == [
            "CR-6.1", "CODE-3/CR-6"]


async def test_filing_before_the_listing_day_cancels_it_when_overdue_was_pending(client, app) -> None:
    uscc = await open_org(app)
    await apply_fact(app, record_facts.report_overdue,
                     AnnualReportOverdue(uscc=uscc, year=2025, deadline=date(2026, 5, 31), as_of=date(2026, 6, 1)))
    await apply_fact(app, record_facts.report_submitted, AnnualReportSubmitted(
        uscc=uscc, year=2025, submitted_at=datetime(2026, 6, 1, 1, tzinfo=UTC), deadline=date(2026, 5, 31),
        late=True, party_building_section=False))
    assert [c["rule"] for c in (await daily(client, date(2026, 6, 2)))["changes"] if c["uscc"] == uscc] == []
    body = await profile(client, uscc)
    assert (body["list_entries"], body["colour"]) == ([], "green")


async def test_exemption_stops_a_pending_trigger_when_cr8_enabled(custom) -> None:
    async with custom(listing={"exemption_enabled": True}) as (app, client):
        uscc = await open_org(app)
        await apply_fact(app, record_facts.report_overdue,
                         AnnualReportOverdue(uscc=uscc, year=2025, deadline=date(2026, 5, 31), as_of=date(2026, 6, 1)))
        [trigger] = [t for t in (await client.get("/v1/triggers", headers=STAFF)).json() if t["uscc"] == uscc]
        no_evidence = await client.post(f"/v1/triggers/{trigger['trigger_id']}/exemption",
                                        json={"evidence": [], "exempted_on": "2026-06-01"}, headers=STAFF)
        assert no_evidence.status_code == 400
        resp = await client.post(f"/v1/triggers/{trigger['trigger_id']}/exemption",
                                 json={"evidence": ["业务主管单位书面证明：非直接责任"], "exempted_on": "2026-06-01"},
                                 headers=STAFF)
        assert resp.status_code == 200 and resp.json()["status"] == "exempted"
        assert [c for c in (await daily(client, date(2026, 6, 2)))["changes"] if c["uscc"] == uscc] == []
