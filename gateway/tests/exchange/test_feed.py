"""EXCH-1: the cursor-based change feed of organisation events, for departments, within their jurisdiction,
without personal data; every read audited."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from cloudevents.core.formats.json import JSONFormat
from cloudevents.core.v1.event import CloudEvent

from yishe_contracts.events.credit import ColourChanged
from yishe_kit.clock import today as business_today
from yishe_kit.testing import eventually

pytestmark = pytest.mark.nats


async def _feed(client, headers: dict, **params) -> dict:
    resp = await client.get("/v1/feed", params=params, headers=headers)
    assert resp.status_code == 200, resp.text
    return resp.json()


async def _all_for(client, headers: dict, uscc: str) -> list[dict]:
    return (await _feed(client, headers, uscc=uscc))["items"]


async def test_department_client_reads_events_in_order_by_cursor(events_gateway, auth, publish, registered,
                                                                  make_uscc) -> None:
    app, client = events_gateway
    key = await auth.client(app, role="staff")
    uscc = make_uscc()
    first = await publish(registered(uscc), correlation_id="req-from-registration")
    second = await publish(ColourChanged(uscc=uscc, from_colour="green", to_colour="yellow", rule="CODE-3",
                                         reason="年度工作报告逾期未报", changed_at=datetime.now(UTC)))

    async def both() -> list | None:
        path = "/v1/feed"
        items = (await _feed(client, auth.signed(key, "GET", path, f"uscc={uscc}"), uscc=uscc))["items"]
        return items if len(items) == 2 else None

    items = await eventually(both)
    assert [i["id"] for i in items] == [first.id, second.id]
    assert [i["type"] for i in items] == ["registry.organisation.registered.v1", "credit.colour.changed.v1"]
    assert items[0]["subject"] == uscc and items[0]["correlationid"] == "req-from-registration"
    assert items[0]["data"]["name"] == "温州市鹿城区海韵公益服务中心" and items[0]["data"]["party_full_members"] == 3
    assert "party_members" not in items[0]["data"] and "11010519491231002X" not in str(items)
    cursor = items[0]["cursor"]
    after = await _feed(client, auth.signed(key, "GET", "/v1/feed", f"cursor={cursor}&uscc={uscc}"),
                        cursor=cursor, uscc=uscc)
    assert [i["id"] for i in after["items"]] == [second.id] and after["has_more"] is False
    end = await _feed(client, auth.signed(key, "GET", "/v1/feed", f"cursor={after['next_cursor']}&uscc={uscc}"),
                      cursor=after["next_cursor"], uscc=uscc)
    assert end == {"items": [], "next_cursor": after["next_cursor"], "has_more": False}


async def test_feed_items_are_cloudevents_read_by_the_official_sdk(events_gateway, auth, publish, registered,
                                                                   make_uscc) -> None:
    """EXCH-1: every feed item is a CloudEvents 1.0 structured JSON event with the bus event's own id, type,
    source, subject and time; the feed position and USCC ride as extensions; nothing is null."""
    from yishe_contracts.events.registry import ApplicationChanged

    app, client = events_gateway
    staff = auth.bearer(await auth.token(app, "staff"))
    uscc = make_uscc()
    sent = [await publish(registered(uscc), correlation_id="req-ce-1"),
            await publish(ColourChanged(uscc=uscc, from_colour=None, to_colour="green", rule="CODE-3", reason="测试",
                                        changed_at=datetime.now(UTC)))]
    no_uscc = await publish(ApplicationChanged(application_id=765432, name="温州市鹿城区云事件协会",
                                               org_type="社会团体", division_code="330302", status="under_review",
                                               rule="REG-9", decision_due=business_today(),
                                               changed_at=datetime.now(UTC)))

    async def arrived() -> list | None:
        page = await _feed(client, staff, limit=1000)
        items = [i for i in page["items"] if i["id"] in {e.id for e in [*sent, no_uscc]}]
        return items if len(items) == 3 else None

    items = await eventually(arrived)
    # One durable consumer per subject: the three subjects may reach the feed in any order.
    events = {i["id"]: JSONFormat().read(CloudEvent, json.dumps(i, ensure_ascii=False).encode()) for i in items}
    for envelope in [*sent, no_uscc]:
        ce = events[envelope.id]
        assert ce.get_id() == envelope.id
        assert ce.get_specversion() == "1.0" and ce.get_type() == envelope.type
        assert ce.get_source() == envelope.source and ce.get_time() == envelope.time
        assert ce.get_subject() == envelope.subject and ce.get_datacontenttype() == "application/json"
        assert ce.get_extension("cursor").isdigit()
    registered_ce, colour_ce, application_ce = (events[e.id] for e in [*sent, no_uscc])
    assert registered_ce.get_extension("uscc") == uscc and registered_ce.get_extension("correlationid") == "req-ce-1"
    assert colour_ce.get_data()["to_colour"] == "green"
    assert application_ce.get_extension("uscc") is None and application_ce.get_subject() == "application:765432"
    assert all(v is not None for i in items for v in i.values())


async def test_feed_pages_with_has_more_when_limit_reached(events_gateway, auth, publish, registered,
                                                           make_uscc) -> None:
    app, client = events_gateway
    staff = auth.bearer(await auth.token(app, "staff"))
    uscc = make_uscc()
    for colour in ("yellow", "orange", "red"):
        await publish(ColourChanged(uscc=uscc, from_colour=None, to_colour=colour, rule="CODE-3", reason="测试",
                                    changed_at=datetime.now(UTC)))

    async def three() -> bool:
        return len(await _all_for(client, staff, uscc)) == 3

    await eventually(three)
    page = await _feed(client, staff, uscc=uscc, limit=2)
    assert len(page["items"]) == 2 and page["has_more"] is True
    rest = await _feed(client, staff, uscc=uscc, limit=2, cursor=page["next_cursor"])
    assert [i["data"]["to_colour"] for i in page["items"] + rest["items"]] == ["yellow", "orange", "red"]


async def test_feed_limited_to_jurisdiction_and_counts_hidden_from_purchaser(events_gateway, auth, publish,
                                                                             registered, make_uscc) -> None:
    app, client = events_gateway
    inside, outside = make_uscc("330302"), make_uscc("330402")
    await publish(registered(inside))
    await publish(registered(outside))
    internal = auth.bearer(await auth.token(app, "internal"))

    async def arrived() -> bool:
        return all([await _all_for(client, internal, u) for u in (inside, outside)])

    await eventually(arrived)
    lucheng = auth.bearer(await auth.token(app, "purchaser", division="3303"))
    assert [i["subject"] for i in await _all_for(client, lucheng, inside)] == [inside]
    assert await _all_for(client, lucheng, outside) == []
    assert (await _all_for(client, lucheng, inside))[0]["data"]["party_full_members"] is None


@pytest.mark.parametrize(("role", "status"), [(None, 401), ("org", 403)])
async def test_feed_refused_to_public_and_organisations(events_gateway, auth, make_uscc, role, status) -> None:
    app, client = events_gateway
    headers = {} if role is None else auth.bearer(await auth.token(app, role, org_uscc=make_uscc()))
    assert (await client.get("/v1/feed", headers=headers)).status_code == status


async def test_feed_400_naming_cursor_when_malformed(events_gateway, auth) -> None:
    app, client = events_gateway
    staff = auth.bearer(await auth.token(app, "staff"))
    resp = await client.get("/v1/feed", params={"cursor": "abc"}, headers=staff)
    assert resp.status_code == 400 and resp.json()["errors"][0]["field"] == "cursor"


async def test_same_event_twice_appears_once(events_gateway, auth, publish, registered, make_uscc,
                                             nats_server) -> None:
    from yishe_kit.testing import publish_envelope

    app, client = events_gateway
    staff = auth.bearer(await auth.token(app, "staff"))
    uscc = make_uscc()
    envelope = await publish(registered(uscc))
    await eventually(lambda: _all_for(client, staff, uscc))
    # The same event id again, past the stream's duplicate window check (another msg id): a redelivery.
    await publish_envelope(nats_server.url, envelope, msg_id=f"{envelope.id}-again")
    marker = await publish(ColourChanged(uscc=uscc, from_colour=None, to_colour="green", rule="CODE-3",
                                         reason="测试", changed_at=datetime.now(UTC)))

    async def marker_seen() -> list | None:
        items = await _all_for(client, staff, uscc)
        return items if marker.id in [i["id"] for i in items] else None

    items = await eventually(marker_seen)
    assert [i["id"] for i in items].count(envelope.id) == 1


async def test_event_without_uscc_kept_with_its_subject_and_division(events_gateway, auth, publish) -> None:
    from yishe_contracts.events.registry import ApplicationChanged

    app, client = events_gateway
    application = ApplicationChanged(application_id=987654, name="温州市鹿城区申请中协会", org_type="社会团体",
                                     division_code="330302", status="under_review", rule="REG-9",
                                     decision_due=business_today(), changed_at=datetime.now(UTC))
    envelope = await publish(application)
    staff = auth.bearer(await auth.token(app, "staff", division="3303"))
    elsewhere = auth.bearer(await auth.token(app, "staff", division="3304"))

    async def found() -> dict | None:
        page = await _feed(client, staff, subject="registry.application.changed.v1", limit=1000)
        return next((i for i in page["items"] if i["id"] == envelope.id), None)

    item = await eventually(found)
    assert item["subject"] == "application:987654" and "uscc" not in item
    other = await _feed(client, elsewhere, subject="registry.application.changed.v1", limit=1000)
    assert envelope.id not in [i["id"] for i in other["items"]]


@pytest.mark.parametrize("cursor", ["³", "１２", "-1", "12a", "9" * 19])
async def test_cursor_that_is_not_ascii_digits_is_400_naming_it(events_gateway, auth, cursor) -> None:
    """EXCH-1 / issue 12 (no 5xx): "³" and "１２" pass str.isdigit() but not int(): the feed answered 500."""
    app, client = events_gateway
    staff = auth.bearer(await auth.token(app, "staff"))
    resp = await client.get("/v1/feed", params={"cursor": cursor}, headers=staff)
    assert resp.status_code == 400, resp.text
    assert resp.json()["code"] == "invalid_cursor" and resp.json()["errors"][0]["field"] == "cursor"
