from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from procurement_fixtures.factories import a_uscc, abnormal_listing, opened, registered, staff

from yishe_contracts.envelope import Envelope
from yishe_contracts.events.credit import ColourChanged, ListingAction, ListingChanged
from yishe_contracts.events.registry import (
    AnnualReportReviewed,
    AnnualReportSubmitted,
    GradeChanged,
    OrganisationChanged,
    OrganisationStatusChanged,
)
from yishe_kit.testing import eventually, publish_envelope

pytestmark = pytest.mark.nats


async def _bidder(client, uscc: str, want) -> dict | None:
    resp = await client.get(f"/v1/bidders/{uscc}")
    return resp.json() if resp.status_code == 200 and want(resp.json()) else None


async def _publish(nats_server, *events, source: str = "registry", at: datetime | None = None) -> None:
    for event in events:
        envelope = Envelope.wrap(event, source=source)
        if at is not None:
            envelope.time = at
        await publish_envelope(nats_server.url, envelope)


async def _known(client, nats_server, uscc: str, **kw) -> dict:
    await _publish(nats_server, registered(uscc, **kw))
    await _publish(nats_server, opened(uscc), source="credit")
    return await eventually(lambda: _bidder(client, uscc, lambda b: b["registration_status"] and b["credit_colour"]))


async def test_may_bid_once_registered_and_profiled_in_either_order(client, nats_server) -> None:
    uscc = a_uscc()
    await _publish(nats_server, opened(uscc), source="credit")
    first = await eventually(lambda: _bidder(client, uscc, lambda b: b["credit_colour"] == "green"))
    assert first["may_bid"] is False and first["problems"][0]["rule"] == "PROC-4"
    await _publish(nats_server, registered(uscc))
    done = await eventually(lambda: _bidder(client, uscc, lambda b: b["registration_status"] == "active"))
    assert done["may_bid"] is True and done["problems"] == [] and done["contracts"] == 0


async def test_may_not_bid_when_credit_lists_it_as_abnormal(client, nats_server) -> None:
    uscc = a_uscc()
    await _known(client, nats_server, uscc)
    await _publish(nats_server, abnormal_listing(uscc), source="credit")
    body = await eventually(lambda: _bidder(client, uscc, lambda b: b["abnormal_listed"]))
    assert body["may_bid"] is False and [p["rule"] for p in body["problems"]] == ["PROC-4/CR-6"]
    assert "未按规定报送年度工作报告" in body["problems"][0]["message_zh"]


async def test_may_bid_again_when_taken_off_the_abnormal_list(client, nats_server) -> None:
    uscc = a_uscc()
    await _known(client, nats_server, uscc)
    t0 = datetime.now(UTC)
    await _publish(nats_server, abnormal_listing(uscc), source="credit", at=t0)
    listed = await eventually(lambda: _bidder(client, uscc, lambda b: b["abnormal_listed"] is True))
    assert listed["may_bid"] is False
    removed = abnormal_listing(uscc).model_copy(update={"action": ListingAction.REMOVED, "abnormal_listed": False,
                                                        "removed_on": date(2026, 11, 21)})
    await _publish(nats_server, removed, source="credit", at=t0 + timedelta(seconds=1))
    body = await eventually(lambda: _bidder(client, uscc, lambda b: b["abnormal_listed"] is False))
    assert body["may_bid"] is True


async def test_older_listing_fact_is_ignored_when_it_arrives_after_a_newer_one(client, nats_server) -> None:
    uscc = a_uscc()
    await _known(client, nats_server, uscc)
    t0 = datetime.now(UTC)
    removed = abnormal_listing(uscc).model_copy(update={"action": ListingAction.REMOVED, "abnormal_listed": False})
    await _publish(nats_server, removed, source="credit", at=t0)
    await eventually(lambda: _bidder(client, uscc, lambda b: b["abnormal_listed"] is False))
    await _publish(nats_server, abnormal_listing(uscc), source="credit", at=t0 - timedelta(minutes=5))
    await _publish(nats_server, ColourChanged(uscc=uscc, from_colour="green", to_colour="yellow", rule="CODE-3",
                                              reason="预警", changed_at=t0), source="credit")
    body = await eventually(lambda: _bidder(client, uscc, lambda b: b["credit_colour"] == "yellow"))
    assert body["abnormal_listed"] is False and body["may_bid"] is True


async def test_serious_listing_is_a_major_violation_for_three_years_when_later_removed(client, nats_server) -> None:
    uscc = a_uscc()
    await _known(client, nats_server, uscc)
    t0 = datetime.now(UTC)
    listed = ListingChanged(uscc=uscc, list_type="serious", action="listed", trigger="CR-12.4", reason="罚款5万元以上",
                            listed_on=date(2025, 1, 10), decided_by="民政局", abnormal_listed=False,
                            serious_listed=True)
    await _publish(nats_server, listed, source="credit", at=t0)
    await eventually(lambda: _bidder(client, uscc, lambda b: b["serious_listed"] is True))
    removed = listed.model_copy(update={"action": ListingAction.REMOVED, "serious_listed": False})
    await _publish(nats_server, removed, source="credit", at=t0 + timedelta(seconds=1))
    body = await eventually(lambda: _bidder(client, uscc, lambda b: b["serious_listed"] is False))
    assert body["may_bid"] is False
    assert [p["code"] for p in body["problems"]] == ["no_major_violation"]


async def test_suspension_makes_it_inactive_and_a_violation_when_status_changes(client, nats_server) -> None:
    uscc = a_uscc()
    await _known(client, nats_server, uscc)
    await _publish(nats_server, OrganisationStatusChanged(
        uscc=uscc, from_status="active", to_status="suspended", rule="CR-12.3", reason="限期停止活动3个月",
        effective_date=date(2026, 10, 1), decided_by="民政局"))
    body = await eventually(lambda: _bidder(client, uscc, lambda b: b["registration_status"] == "suspended"))
    assert {p["code"] for p in body["problems"]} == {"registered_active", "no_major_violation"}


async def test_annual_report_is_required_when_registered_before_the_report_year(client, nats_server) -> None:
    uscc = a_uscc()
    body = await _known(client, nats_server, uscc, registration_date=date(2024, 3, 1))
    assert [p["code"] for p in body["problems"]] == ["annual_report_passed"]
    await _publish(nats_server, AnnualReportSubmitted(uscc=uscc, year=2025, submitted_at=datetime.now(UTC),
                                                      deadline=date(2026, 5, 31), late=False,
                                                      party_building_section=True))
    await eventually(lambda: _bidder(client, uscc, lambda b: b["may_bid"]))
    await _publish(nats_server, AnnualReportReviewed(uscc=uscc, year=2025, result="不合格",
                                                     reviewed_on=date(2026, 7, 1)))
    failed = await eventually(lambda: _bidder(client, uscc, lambda b: not b["may_bid"]))
    assert "不合格" in failed["problems"][0]["message_zh"]


async def test_grade_3a_and_recommendation_make_it_preferred_when_received(client, nats_server) -> None:
    uscc = a_uscc()
    await _known(client, nats_server, uscc)
    await _publish(nats_server, GradeChanged(uscc=uscc, change="awarded", grade="4A", valid_from=date(2026, 1, 1),
                                             valid_until=date(2030, 12, 31), rule="EVAL-8",
                                             changed_on=date(2025, 12, 1)))
    body = await eventually(lambda: _bidder(client, uscc, lambda b: b["grade"] == "4A"))
    assert body["preferred"] is True
    await _publish(nats_server, GradeChanged(uscc=uscc, change="revoked", grade=None, previous_grade="4A",
                                             rule="EVAL-7", changed_on=date(2026, 6, 1)))
    body = await eventually(lambda: _bidder(client, uscc, lambda b: b["grade"] is None))
    assert body["preferred"] is False
    resp = await client.put(f"/v1/bidders/{uscc}/recommendation", headers=staff(),
                            json={"recommended": True, "basis": "2026年度社会组织推荐目录"})
    assert resp.status_code == 200 and resp.json()["preferred"] is True


async def test_change_registration_renames_it_when_received(client, nats_server) -> None:
    uscc = a_uscc()
    await _known(client, nats_server, uscc)
    await _publish(nats_server, OrganisationChanged(uscc=uscc,
                                                    changes={"name": {"before": "旧名", "after": "鹿城区新名称协会"}},
                                                    changed_at=datetime.now(UTC), change_date=date(2026, 11, 1)))
    body = await eventually(lambda: _bidder(client, uscc, lambda b: b["name"] == "鹿城区新名称协会"))
    assert body["may_bid"] is True


async def test_malformed_uscc_is_a_400_naming_the_rule_when_looked_up(client) -> None:
    good = a_uscc()
    resp = await client.get(f"/v1/bidders/{good[:17]}{'1' if good[17] != '1' else '2'}")
    assert resp.status_code == 400 and resp.json()["errors"][0]["rule"] == "USCC-5"
