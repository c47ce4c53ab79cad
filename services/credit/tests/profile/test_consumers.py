from __future__ import annotations

import uuid
from datetime import UTC, date, datetime

import pytest

from yishe_contracts.envelope import Envelope
from yishe_contracts.events.registry import OrganisationRegistered
from yishe_contracts.identifiers import encode_sequence, make_uscc
from yishe_credit.profile.colour import CreditState, decide
from yishe_kit.testing import eventually, publish_envelope


def registered() -> OrganisationRegistered:
    uscc = make_uscc(category="2", division_code="330304",
                     body8="MJ" + encode_sequence(uuid.uuid4().int % 31**6))
    return OrganisationRegistered(
        uscc=uscc, name="温州市瓯海区阳光社工服务中心", org_type="民办非企业单位", division_code="330304",
        address="温州", legal_representative="张三", business_scope="社会工作服务", registered_at=datetime.now(UTC),
        registration_date=date(2026, 11, 22), party_full_members=0, party_probationary_members=0,
    )


@pytest.mark.nats
async def test_registration_opens_green_profile_with_history_and_event(client, app, nats_server) -> None:
    event = registered()
    await publish_envelope(nats_server.url, Envelope.wrap(event, source="registry"))

    async def profile():
        resp = await client.get(f"/v1/profiles/{event.uscc}")
        return resp.json() if resp.status_code == 200 else None

    body = await eventually(profile)
    assert (body["colour"], body["colour_rule"]) == ("green", "CODE-3")
    assert body["colour_history"] is None  # the public does not see the history
    staff = (await client.get(f"/v1/profiles/{event.uscc}", headers={"x-yishe-role": "staff"})).json()
    assert [(c["from_colour"], c["to_colour"]) for c in staff["colour_history"]] == [(None, "green")]


def test_colour_rules_are_ordered_first_match_wins() -> None:
    """CODE-3: red before orange before yellow before green."""
    assert decide(CreditState(serious_listed=True, abnormal_listed=True)).colour == "red"
    assert decide(CreditState(abnormal_listed=True, early_warnings=("年报逾期",))).colour == "orange"
    assert decide(CreditState(early_warnings=("年报逾期",))).colour == "yellow"
    assert decide(CreditState()).colour == "green"


async def test_profile_lookup_400_when_code_malformed(client) -> None:
    resp = await client.get("/v1/profiles/51330300MJ8A2T011")
    assert resp.status_code == 400 and resp.json()["errors"][0]["rule"] == "USCC-1"
