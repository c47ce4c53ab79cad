from __future__ import annotations

import asyncio
from datetime import date, timedelta

import pytest
from credit_factories import STAFF, apply_fact, events, open_org, profile, registered
from sqlalchemy import select

from yishe_contracts.envelope import Envelope
from yishe_contracts.events.registry import (
    AnnualReportOverdue,
    GradeChanged,
    OrganisationChanged,
    OrganisationStatusChanged,
)
from yishe_credit.context import event_ctx
from yishe_credit.profile import facts as profile_facts
from yishe_credit.profile.models import ColourChange, CreditProfile
from yishe_credit.record import facts as record_facts
from yishe_kit.clock import today as business_today
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
    today = business_today()
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


def _awarded(uscc: str) -> GradeChanged:
    today = business_today()
    return GradeChanged(uscc=uscc, change="awarded", grade="4A", valid_from=today - timedelta(days=30),
                        valid_until=today + timedelta(days=1000), rule="EVAL-8", changed_on=today - timedelta(days=30))


def _expired(uscc: str) -> GradeChanged:
    today = business_today()
    return GradeChanged(uscc=uscc, change="expired", grade=None, previous_grade="4A", valid_from=date(2021, 1, 1),
                        valid_until=today - timedelta(days=1), rule="EVAL-8", changed_on=today)


def _overdue(uscc: str) -> AnnualReportOverdue:
    today = business_today()
    return AnnualReportOverdue(uscc=uscc, year=today.year - 1, deadline=today - timedelta(days=1), as_of=today)


async def _colour_changes(app, uscc: str) -> list[tuple[str | None, str]]:
    async with app.state.sessionmaker() as s:
        rows = await s.scalars(select(ColourChange).where(ColourChange.uscc == uscc).order_by(ColourChange.change_id))
        return [(c.from_colour, c.to_colour) for c in rows]


async def test_one_colour_change_when_second_handler_read_profile_before_first_committed(client, app) -> None:
    """Registry's daily job emits an overdue report and an expired grade for one organisation at once: the grade
    handler has the profile (blue) in hand when the overdue handler commits blue → yellow; it must recolour from what
    was committed, not from its copy, and record nothing more."""
    uscc = await open_org(app)
    await apply_fact(app, profile_facts.grade_changed, _awarded(uscc))
    async with app.state.sessionmaker() as session, session.begin():
        ctx = event_ctx(session, app.state.outbox, app.state.settings, GradeChanged.subject_name, app.state.clock)
        held = await session.get(CreditProfile, uscc)  # read (and kept) before the other handler commits
        assert held.colour == "blue"
        await apply_fact(app, record_facts.report_overdue, _overdue(uscc))
        await profile_facts.grade_changed(ctx, _expired(uscc))
    assert await _colour_changes(app, uscc) == [(None, "green"), ("green", "blue"), ("blue", "yellow")]
    colours = await events(app, "credit.colour.changed.v1", uscc)
    assert [(e["from_colour"], e["to_colour"]) for e in colours] == [("green", "blue"), ("blue", "yellow")]


async def test_colour_changes_stay_one_chain_when_two_events_for_one_org_are_handled_concurrently(client,
                                                                                                   app) -> None:
    """CODE-3 colours: the two handlers run at once, so either may commit first; whichever does, the other recolours
    from what was committed: the changes form one chain (each starts where the last ended), end yellow, and each has
    its event. (Overdue first: blue → yellow, the expiry then changes nothing; expiry first: blue → green → yellow.)"""
    uscc = await open_org(app)
    await apply_fact(app, profile_facts.grade_changed, _awarded(uscc))
    await asyncio.gather(apply_fact(app, record_facts.report_overdue, _overdue(uscc)),
                         apply_fact(app, profile_facts.grade_changed, _expired(uscc)))
    changes = await _colour_changes(app, uscc)
    assert changes in ([(None, "green"), ("green", "blue"), ("blue", "yellow")],
                       [(None, "green"), ("green", "blue"), ("blue", "green"), ("green", "yellow")])
    colours = await events(app, "credit.colour.changed.v1", uscc)
    assert [(e["from_colour"], e["to_colour"]) for e in colours] == changes[1:]


async def test_grade_and_validity_cleared_when_grade_expired(client, app) -> None:
    """EVAL-4: the expired event still carries the ended validity; the profile shows no grade and no validity."""
    uscc = await open_org(app)
    await apply_fact(app, profile_facts.grade_changed, _awarded(uscc))
    await apply_fact(app, profile_facts.grade_changed, _expired(uscc))
    body = await profile(client, uscc)
    assert (body["grade"], body["grade_valid_until"], body["colour"]) == (None, None, "green")


async def test_a_corrected_registration_date_reaches_the_profile(client, app) -> None:
    """CR-4 基础信息: a corrected registration date (legacy re-import) is the profile's date."""
    uscc = await open_org(app)
    changed = OrganisationChanged(uscc=uscc, changes={"registration_date": {"before": "2012-05-01",
                                                                            "after": "2011-05-01"}},
                                  changed_at="2026-09-01T02:00:00Z", change_date=date(2026, 9, 1))
    await apply_fact(app, profile_facts.organisation_changed, changed)
    async with app.state.sessionmaker() as session:
        assert (await session.get(CreditProfile, uscc)).registration_date == date(2011, 5, 1)
