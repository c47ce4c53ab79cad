"""The first slice end to end through real processes: register → events over NATS → 一社一码 profile."""

from __future__ import annotations

import httpx
import pytest
from registration_bodies import direct_registration, unique_id_number

from yishe_contracts.identifiers import validate_social_org_uscc
from yishe_kit.testing import eventually

pytestmark = [pytest.mark.e2e, pytest.mark.slow]


def registration(name: str, full_members: int) -> dict:
    members = [{"name": f"党员{i}", "status": "正式党员"} for i in range(full_members)]
    return direct_registration(
        name, supervisory_unit="温州市鹿城区民政局", category=None,
        legal_representative={"name": "陈一", "id_number": unique_id_number(), "phone": "13900139000"},
        party_members={"full_count": full_members, "probationary_count": 0, "members": members})


def staff(stack) -> dict[str, str]:
    """The development staff account `make run` creates (authentication is on: writes need it)."""
    return {"Authorization": f"Bearer {stack.dev['staff']['token']}"}


async def _complete_profile(client: httpx.AsyncClient, uscc: str) -> dict | None:
    """The department view (as staff): it includes the Party-building section the public view withholds."""
    resp = await client.get(f"/v1/code/{uscc}")
    if resp.status_code != 200:
        return None
    body = resp.json()
    ready = body.get("credit") and body.get("party") and (body.get("procurement") or {}).get("may_bid")
    return body if ready else None


async def test_registration_through_gateway_reaches_credit_party_and_procurement(stack, unique_name) -> None:
    async with httpx.AsyncClient(base_url=stack.gateway_url, timeout=10, headers=staff(stack)) as client:
        body = registration(unique_name, 4)
        person = body["legal_representative"]["id_number"]
        resp = await client.post("/api/registry/v1/organisations", json=body)
        assert resp.status_code == 201, resp.text
        uscc = resp.json()["uscc"]
        assert validate_social_org_uscc(uscc) == []
        profile = await eventually(lambda: _complete_profile(client, uscc), timeout=15)
    assert profile["view"] == "department"
    assert profile["organisation"]["name"] == unique_name
    assert profile["credit"]["colour"] == "green"
    assert profile["party"]["route"] == "own_organisation" and profile["party"]["route_rule"] == "PARTY-1"
    assert profile["procurement"]["may_bid"] is True
    assert profile["missing_sources"] == []
    masked = f"{person[:6]}********{person[-4:]}"
    assert profile["organisation"]["legal_representative"]["id_number"] == masked
    async with httpx.AsyncClient(base_url=stack.gateway_url, timeout=10) as anonymous:
        public = (await anonymous.get(f"/v1/code/{uscc}")).json()
    # CODE-4: the public profile carries no personal data and no Party-building section
    assert public["view"] == "public" and public["party"] is None
    assert public["organisation"]["legal_representative"]["id_number"] is None
    assert "13900139000" not in str(public) and person not in str(public)


async def test_events_committed_while_nats_is_down_arrive_after_it_returns(stack, unique_name) -> None:
    async with httpx.AsyncClient(base_url=stack.gateway_url, timeout=10, headers=staff(stack)) as client:
        stack.nats.stop()
        try:
            resp = await client.post("/api/registry/v1/organisations", json=registration(unique_name, 0))
            assert resp.status_code == 201, resp.text  # the state change and its outbox row commit without NATS
        finally:
            stack.nats.start()
        uscc = resp.json()["uscc"]
        profile = await eventually(lambda: _complete_profile(client, uscc), timeout=30)
    assert profile["party"]["route"] == "instructor"


async def test_malformed_code_400_and_unknown_code_404_through_gateway(stack) -> None:
    async with httpx.AsyncClient(base_url=stack.gateway_url, timeout=10) as client:
        bad = await client.get("/v1/code/51330300MJ8A2T0117")
        assert bad.status_code == 400 and "USCC-5" in bad.text
        assert (await client.get("/v1/code/51330300MJ8A2T0116")).status_code == 404
        qr = await client.get("/v1/code/51330300MJ8A2T0116/qr.svg")
        assert qr.status_code == 200 and qr.headers["content-type"].startswith("image/svg+xml")
