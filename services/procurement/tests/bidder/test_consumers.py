from __future__ import annotations

import uuid
from datetime import UTC, date, datetime

import pytest

from yishe_contracts.envelope import Envelope
from yishe_contracts.events.credit import CreditProfileOpened
from yishe_contracts.events.registry import OrganisationRegistered
from yishe_contracts.identifiers import encode_sequence, make_uscc
from yishe_kit.testing import eventually, publish_envelope

pytestmark = pytest.mark.nats


def a_uscc() -> str:
    return make_uscc(category="1", division_code="330381", body8="MJ" + encode_sequence(uuid.uuid4().int % 31**6))


def registered(uscc: str) -> OrganisationRegistered:
    return OrganisationRegistered(
        uscc=uscc, name="瑞安市养老服务协会", org_type="社会团体", division_code="330381", address="瑞安",
        legal_representative="张三", business_scope="养老服务", registered_at=datetime.now(UTC),
        registration_date=date(2026, 11, 22), party_full_members=0, party_probationary_members=0,
    )


def opened(uscc: str, **kw) -> CreditProfileOpened:
    return CreditProfileOpened(uscc=uscc, name="瑞安市养老服务协会", colour=kw.pop("colour", "green"),
                               colour_rule="CODE-3", colour_reason="无异常信用记录", opened_at=datetime.now(UTC), **kw)


async def _bidder(client, uscc: str, want) -> dict | None:
    resp = await client.get(f"/v1/bidders/{uscc}")
    return resp.json() if resp.status_code == 200 and want(resp.json()) else None


async def test_may_bid_once_registered_and_profiled_in_either_order(client, nats_server) -> None:
    uscc = a_uscc()
    await publish_envelope(nats_server.url, Envelope.wrap(opened(uscc), source="credit"))
    first = await eventually(lambda: _bidder(client, uscc, lambda b: b["credit_colour"] == "green"))
    assert first["may_bid"] is False and first["problems"][0]["rule"] == "PROC-4"
    await publish_envelope(nats_server.url, Envelope.wrap(registered(uscc), source="registry"))
    done = await eventually(lambda: _bidder(client, uscc, lambda b: b["registration_status"] == "active"))
    assert done["may_bid"] is True and done["problems"] == []


async def test_may_not_bid_when_on_abnormal_list(client, nats_server) -> None:
    uscc = a_uscc()
    await publish_envelope(nats_server.url, Envelope.wrap(registered(uscc), source="registry"))
    await publish_envelope(nats_server.url, Envelope.wrap(opened(uscc, colour="orange", abnormal_listed=True),
                                                          source="credit"))
    body = await eventually(lambda: _bidder(client, uscc, lambda b: b["abnormal_listed"] is not None
                                            and b["registration_status"] == "active"))
    assert body["may_bid"] is False
    assert [p["rule"] for p in body["problems"]] == ["PROC-4/CR-6"]
