"""The 一社一码 read model (yishe_kit.readmodel): the gateway's read of a bidder comes from it, equals the live route
byte for byte, and shows every kind of change on the very next read (events, staff, contracts, the day)."""

from __future__ import annotations

from datetime import UTC, date, datetime

from procurement_fixtures.factories import (
    SIGN_DAY,
    a_uscc,
    abnormal_listing,
    awarded_project,
    catalogue,
    contract_body,
    grade,
    known_org,
    purchaser,
    staff,
)

from yishe_contracts.events.credit import ColourChanged
from yishe_contracts.events.registry import AnnualReportReviewed, AnnualReportSubmitted, OrganisationStatusChanged
from yishe_procurement.bidder import service

GATEWAY = {"x-yishe-role": "internal", "x-yishe-actor": "gateway"}
LIVE = {"x-yishe-role": "internal", "x-yishe-actor": "operator"}  # the same view, through FastAPI's route


async def read(client, uscc: str) -> dict:
    """The gateway's read, checked against the live route; returns the bidder."""
    fast = await client.get(f"/v1/bidders/{uscc}", headers=GATEWAY)
    live = await client.get(f"/v1/bidders/{uscc}", headers=LIVE)
    assert fast.status_code == live.status_code == 200, fast.text
    assert fast.content == live.content
    return fast.json()


async def held(client, app, uscc: str) -> dict:
    """Read twice: the second read is served from the stored fragment (no build)."""
    await read(client, uscc)
    builds = app.state.read_model.builds
    bidder = await read(client, uscc)
    assert app.state.read_model.builds == builds
    return bidder


async def apply(app, handler, event) -> None:
    """What the consumer runs for an event."""
    async with app.state.sessionmaker() as session, session.begin():
        await handler(session, event, datetime.now(UTC))


async def test_gateway_read_is_the_stored_view_and_unknown_codes_are_404(client, app) -> None:
    uscc = await known_org(app)
    assert (await held(client, app, uscc))["credit_colour"] == "green"
    missing = await client.get(f"/v1/bidders/{a_uscc()}", headers=GATEWAY)
    assert missing.status_code == 404 and missing.json()["code"] == "bidder_not_found"


async def test_credit_and_registry_events_show_on_the_next_read(client, app) -> None:
    uscc = await known_org(app)
    assert (await held(client, app, uscc))["may_bid"] is True
    await apply(app, service.record_listing, abnormal_listing(uscc))
    listed = await read(client, uscc)
    assert listed["abnormal_listed"] is True and listed["may_bid"] is False
    await held(client, app, uscc)
    await apply(app, service.record_colour, ColourChanged(
        uscc=uscc, from_colour="green", to_colour="yellow", rule="CODE-3", reason="预警", changed_at=datetime.now(UTC),
        as_of=date(2026, 11, 22)))
    assert (await read(client, uscc))["credit_colour"] == "yellow"
    await held(client, app, uscc)
    await apply(app, service.record_status, OrganisationStatusChanged(
        uscc=uscc, from_status="active", to_status="suspended", rule="CR-12", reason="限期停止活动",
        effective_date=date(2026, 11, 21), decided_by="温州市民政局"))
    suspended = await read(client, uscc)
    assert suspended["registration_status"] == "suspended"
    assert "no_major_violation" in [c["code"] for c in suspended["conditions"] if not c["met"]]


async def test_annual_reports_grade_recommendation_and_contracts_show_on_the_next_read(client, app, clock) -> None:
    clock.fixed = date(2026, 7, 1)  # the 2025 report is due
    uscc = await known_org(app, registration_date=date(2020, 1, 1))
    assert "annual_report_passed" in [c["code"] for c in (await held(client, app, uscc))["conditions"] if not c["met"]]
    async with app.state.sessionmaker() as session, session.begin():
        await service.record_report_submitted(session, AnnualReportSubmitted(
            uscc=uscc, year=2025, submitted_at=datetime.now(UTC), deadline=date(2026, 5, 31), late=False,
            party_building_section=True))
        await service.record_report_reviewed(session, AnnualReportReviewed(
            uscc=uscc, year=2025, result="合格", reviewed_on=date(2026, 6, 20)))
    assert (await read(client, uscc))["may_bid"] is True
    await held(client, app, uscc)
    await grade(app, uscc, "4A")
    assert (await read(client, uscc))["grade"] == "4A"
    await held(client, app, uscc)
    put = await client.put(f"/v1/bidders/{uscc}/recommendation", headers=staff(),
                           json={"recommended": True, "basis": "年度评估优秀"})
    assert put.status_code == 200, put.text
    assert (await read(client, uscc))["recommended"] is True


async def test_a_signed_contract_shows_on_the_winner_next_read(client, app, clock) -> None:
    await catalogue(client)
    project, winner = await awarded_project(client, app, clock)
    clock.fixed = SIGN_DAY  # the same day for both reads: only the contract can change the answer
    assert (await held(client, app, winner))["contracts"] == 0
    signed = await client.post(f"/v1/projects/{project['project_id']}/contract", json=contract_body(),
                               headers=purchaser())
    assert signed.status_code == 201, signed.text
    assert (await read(client, winner))["contracts"] == 1


async def test_another_day_is_evaluated_afresh(client, app, clock) -> None:
    clock.fixed = date(2026, 5, 31)  # the 2024 report is the one due
    uscc = await known_org(app, registration_date=date(2020, 1, 1))
    async with app.state.sessionmaker() as session, session.begin():
        await service.record_report_reviewed(session, AnnualReportReviewed(
            uscc=uscc, year=2024, result="合格", reviewed_on=date(2025, 6, 20)))
    assert (await held(client, app, uscc))["may_bid"] is True
    clock.fixed = date(2026, 6, 1)  # now the 2025 report is due, and there is none
    assert (await read(client, uscc))["may_bid"] is False
