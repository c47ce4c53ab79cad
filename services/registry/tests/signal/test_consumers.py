from __future__ import annotations

from datetime import date

import pytest
from registry_factories import STAFF, events, history_actions, registered
from sqlalchemy import func, select

from yishe_contracts.envelope import Envelope
from yishe_contracts.events.credit import CreditList, ListingAction, ListingChanged, ZombieConfirmed
from yishe_contracts.events.party import CoverageChanged, FormationRoute
from yishe_kit.testing import eventually, publish_envelope
from yishe_registry.db import metadata
from yishe_registry.signal.models import OrganisationSignal

pytestmark = pytest.mark.nats


async def _signal(app, uscc: str) -> OrganisationSignal | None:
    async with app.state.sessionmaker() as s:
        return await s.get(OrganisationSignal, uscc)


def listed(uscc: str) -> ListingChanged:
    return ListingChanged(uscc=uscc, list_type=CreditList.ABNORMAL, action=ListingAction.LISTED, trigger="CR-6.1",
                          reason="未按规定报送年度工作报告", listed_on=date(2026, 6, 8), decided_by="鹿城区民政局",
                          abnormal_listed=True, serious_listed=False)


async def test_listing_flag_blocks_evaluation_when_abnormal_listed(client, app, nats_server, clock) -> None:
    clock(date(2022, 1, 1))
    org = await registered(client, date(2022, 1, 1))
    await publish_envelope(nats_server.url, Envelope.wrap(listed(org["uscc"]), source="credit"))
    await eventually(lambda: _signal(app, org["uscc"]))
    clock(date(2026, 11, 20))
    resp = await client.post(f"/v1/organisations/{org['uscc']}/grades",
                             json={"grade": "3A", "announced_on": "2026-11-20"}, headers=STAFF)
    assert resp.status_code == 400 and resp.json()["errors"][0]["rule"] == "EVAL-9"
    assert "credit_listing" in await history_actions(client, org["uscc"])


async def test_zombie_confirmation_allows_simple_deregistration_after_notice(client, app, nats_server, clock) -> None:
    clock(date(2024, 1, 1))
    org = await registered(client, date(2024, 1, 1))
    uscc = org["uscc"]
    clock(date(2026, 11, 20))
    url = f"/v1/organisations/{uscc}/simple-deregistration"
    refused = await client.post(f"{url}/notice", json={"reason": "僵尸型"}, headers=STAFF)
    assert refused.status_code == 409 and refused.json()["errors"][0]["rule"] == "CR-16"
    event = ZombieConfirmed(uscc=uscc, evidence=["连续两年未报送年报"], decided_on=date(2026, 11, 1),
                            decided_by="鹿城区民政局")
    await publish_envelope(nats_server.url, Envelope.wrap(event, source="credit"))
    await eventually(lambda: _signal(app, uscc))
    notice = await client.post(f"{url}/notice", json={"reason": "僵尸型社会组织"}, headers=STAFF)
    assert notice.status_code == 200 and notice.json()["notice_until"] == "2027-01-03"  # 45 days
    assert (await client.post(url, json={"reason": "公告期满"}, headers=STAFF)).status_code == 409
    clock(date(2027, 1, 4))
    done = await client.post(url, json={"reason": "公告期满无异议"}, headers=STAFF)
    assert done.json()["status"] == "simple_deregistered"


async def test_party_reminder_given_once_at_next_filing_when_not_covered(client, app, nats_server, clock) -> None:
    clock(date(2026, 1, 1))
    org = await registered(client, date(2026, 1, 1))
    uscc = org["uscc"]
    event = CoverageChanged(uscc=uscc, required=True, covered=False, route=FormationRoute.OWN_ORGANISATION,
                            rule="PARTY-1", reason="正式党员3名以上但未单独建立党组织", as_of=date(2026, 8, 2))
    envelope = Envelope.wrap(event, source="party")
    await publish_envelope(nats_server.url, envelope)
    await publish_envelope(nats_server.url, envelope, msg_id="again")  # a repeat changes nothing
    inbox = metadata.tables["inbox"]

    async def seen() -> bool:
        async with app.state.sessionmaker() as s:
            return await s.scalar(select(func.count()).select_from(inbox).where(inbox.c.event_id == envelope.id)) == 1

    await eventually(seen)
    matter = {"matter_type": "重大活动", "summary": "举办年度公益集市", "occurred_on": "2026-11-30"}
    first = await client.post(f"/v1/organisations/{uscc}/matters", json=matter, headers=STAFF)
    assert "PARTY-5" in first.json()["reminders"][0]
    second = await client.post(f"/v1/organisations/{uscc}/matters", json=matter, headers=STAFF)
    assert second.json()["reminders"] == []
    assert (await history_actions(client, uscc)).count("party_reminder") == 1


async def test_party_reminder_is_an_event_once_and_a_refused_filing_delivers_none(client, app, nats_server,
                                                                                  clock) -> None:
    """PARTY-5: the delivered reminder is `registry.party_reminder.delivered.v1` (no Party-membership data); a refused
    matter filing neither reminds nor emits, so the reminder is still due at the next accepted filing."""
    clock(date(2026, 1, 1))
    org = await registered(client, date(2026, 1, 1))
    uscc = org["uscc"]
    event = CoverageChanged(uscc=uscc, required=True, covered=False, route=FormationRoute.OWN_ORGANISATION,
                            rule="PARTY-1", reason="正式党员3名以上但未单独建立党组织", as_of=date(2026, 8, 2))
    await publish_envelope(nats_server.url, Envelope.wrap(event, source="party"))

    async def due() -> bool:
        row = await _signal(app, uscc)
        return row is not None and row.party_reminder_due

    await eventually(due)
    clock(date(2026, 9, 1))
    refused = await client.post(f"/v1/organisations/{uscc}/matters", headers=STAFF,
                                json={"matter_type": "重大活动", "summary": "活动", "occurred_on": "2030-01-01"})
    assert refused.status_code == 400
    assert await events(app, "registry.party_reminder.delivered.v1", uscc) == []
    change = await client.post(f"/v1/organisations/{uscc}/changes", headers=STAFF,
                               json={"address": "温州市鹿城区五马街道解放街1号", "reason": "住所变更"})
    assert "PARTY-5" in change.json()["reminders"][0]
    again = await client.post(f"/v1/organisations/{uscc}/changes", headers=STAFF,
                              json={"address": "温州市鹿城区五马街道解放街2号", "reason": "住所变更"})
    assert again.json()["reminders"] == []
    assert await events(app, "registry.party_reminder.delivered.v1", uscc) == [
        {"uscc": uscc, "occasion": "change", "delivered_on": "2026-09-01", "rule": "PARTY-5"}]
