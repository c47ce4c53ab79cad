from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from party_factories import INTERNAL, PARTY, STAFF, establish, open_record, registered
from sqlalchemy import select

from yishe_contracts.envelope import Envelope
from yishe_contracts.events.registry import AnnualReportSubmitted, CharterApproved
from yishe_kit.testing import eventually, publish_envelope
from yishe_party.sync.models import SyncStep

pytestmark = pytest.mark.nats


async def _step(app, uscc: str, step: str) -> SyncStep | None:
    async with app.state.sessionmaker() as s:
        return await s.scalar(select(SyncStep).where(SyncStep.uscc == uscc, SyncStep.step == step))


def _report(uscc: str, section: bool, year: int = 2026) -> AnnualReportSubmitted:
    return AnnualReportSubmitted(uscc=uscc, year=year, submitted_at=datetime(2027, 3, 20, 6, tzinfo=UTC),
                                 deadline=date(2027, 5, 31), late=False, party_building_section=section)


async def test_annual_report_without_party_section_marked_missing_when_submitted(client, app, nats_server) -> None:
    event = registered(3)
    await open_record(app, event)
    await publish_envelope(nats_server.url, Envelope.wrap(_report(event.uscc, False), source="registry"))
    step = await eventually(lambda: _step(app, event.uscc, "annual_report"))
    assert (step.status, step.period, step.rule) == ("missing", "2026", "PARTY-5")
    checklist = (await client.get(f"/v1/records/{event.uscc}/sync-checklist", headers=STAFF)).json()
    report = next(s for s in checklist["steps"] if s["step"] == "annual_report")
    assert report["status"] == "missing" and checklist["three_sync_done"] is False


async def test_three_sync_done_when_capture_report_and_evaluation_done(client, app, nats_server) -> None:
    event = registered(3)
    await open_record(app, event)
    await client.post(f"/v1/records/{event.uscc}/capture-confirmation", headers=PARTY, json={})
    await publish_envelope(nats_server.url, Envelope.wrap(_report(event.uscc, True), source="registry"))
    charter = CharterApproved(uscc=event.uscc, version=1, party_building_clause=False, approved_on=date(2026, 11, 1))
    await publish_envelope(nats_server.url, Envelope.wrap(charter, source="registry"))
    await eventually(lambda: _step(app, event.uscc, "annual_report"))
    await eventually(lambda: _step(app, event.uscc, "charter"))
    pure = (await client.get(f"/v1/evaluation-indicators/{event.uscc}", headers=PARTY)).json()
    assert pure["evaluation_year"] is None and await _step(app, event.uscc, "evaluation") is None
    indicator = await client.get(f"/v1/evaluation-indicators/{event.uscc}?evaluation_year=2027", headers=INTERNAL)
    items = {i["key"]: i for i in indicator.json()["items"]}
    assert items["annual_report_section"]["met"] and not items["charter_clause"]["met"]
    assert items["charter_clause"]["rule"] == "PARTY-11" and not items["coverage"]["met"]
    checklist = (await client.get(f"/v1/records/{event.uscc}/sync-checklist",
                                  headers={"x-yishe-role": "org", "x-yishe-actor": event.uscc})).json()
    assert checklist["three_sync_done"] is True and checklist["six_sync_done"] is False
    assert {s["step"]: s["status"] for s in checklist["steps"]}["charter"] == "missing"


async def test_indicator_scores_coverage_when_own_organisation_established(client, app) -> None:
    event = registered(4, on=date(2026, 9, 1))
    await open_record(app, event)
    before = (await client.get(f"/v1/evaluation-indicators/{event.uscc}", headers=STAFF)).json()["score"]
    org = await establish(client, [event.uscc], established_on="2026-10-01",
                          secretary={"name": "陈书记", "org_position": "理事长"})
    await client.post(f"/v1/party-organisations/{org['org_id']}/assessments", headers=PARTY,
                      json={"year": 2026, "level": 2})
    after = (await client.get(f"/v1/evaluation-indicators/{event.uscc}", headers=STAFF)).json()
    items = {i["key"]: i["points"] for i in after["items"]}
    assert (items["coverage"], items["cross_appointment"], items["secretary_level"]) == (40, 10, 10)
    assert after["score"] == before + 60


async def test_checklist_refused_when_org_asks_for_another(client, app) -> None:
    event = registered(0)
    await open_record(app, event)
    response = await client.get(f"/v1/records/{event.uscc}/sync-checklist",
                                headers={"x-yishe-role": "org", "x-yishe-actor": registered().uscc})
    assert response.status_code == 403


async def test_spot_check_recorded_when_staff_reports_it(client, app) -> None:
    event = registered(0)
    await open_record(app, event)
    response = await client.post(f"/v1/records/{event.uscc}/sync-steps", headers=STAFF, json={
        "step": "spot_check", "period": "2027-01", "occurred_on": "2027-01-15", "party_building_covered": True})
    assert response.status_code == 201 and response.json()["status"] == "done"
    bad = await client.post(f"/v1/records/{event.uscc}/sync-steps", headers=STAFF, json={
        "step": "annual_report", "occurred_on": "2027-01-15"})
    assert bad.status_code == 422
