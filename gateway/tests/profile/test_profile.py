"""The 一社一码 profile against the four real services over real NATS: merged, cached, kept current by events."""

from __future__ import annotations

from datetime import datetime

import pytest

from yishe_gateway.qr import sign_code
from yishe_kit.testing import eventually

pytestmark = pytest.mark.nats


async def _profile(client, uscc: str, headers: dict | None = None, **params: str) -> dict:
    resp = await client.get(f"/v1/code/{uscc}", params=params, headers=headers)
    assert resp.status_code == 200, resp.text
    return resp.json()


async def _complete(stack, uscc: str) -> dict:
    """Poll (as staff) until every source has caught up with the registration (events travel through real NATS)."""
    async def check() -> dict | None:
        p = await _profile(stack.gateway, uscc, stack.staff)
        return p if (p["credit"] and p["party"] and p["procurement"] and p["procurement"]["may_bid"]
                     and p["cultivation"]) else None

    return await eventually(check, timeout=10.0, interval=0.05)


async def test_public_profile_merges_sources_without_party_when_anonymous(stack, register) -> None:
    uscc = await register(stack, "330303", name="温州市龙湾区青年志愿者协会")
    await _complete(stack, uscc)
    profile = await _profile(stack.gateway, uscc)
    assert profile["view"] == "public" and profile["uscc"] == uscc
    assert profile["organisation"]["name"] == "温州市龙湾区青年志愿者协会"
    assert profile["credit"] == {"colour": "green", "colour_rule": "CODE-3", "colour_reason": "无异常信用记录",
                                 "abnormal_listed": False, "serious_listed": False, "list_entries": []}
    assert profile["party"] is None  # CODE-4: Party building is not on the public scan
    assert profile["procurement"] == {"may_bid": True, "problems": [], "contracts": 0}
    assert profile["cultivation"] == {"community": False, "township_code": None, "platform": None}
    assert profile["missing_sources"] == [] and profile["pending_sources"] == []
    assert profile["signature_valid"] is None
    assert datetime.fromisoformat(profile["as_of"]).utcoffset().total_seconds() == 0


async def test_department_profile_shows_party_and_masked_contacts_when_staff(stack, register) -> None:
    uscc = await register(stack, "330304")
    profile = await _complete(stack, uscc)
    assert profile["view"] == "department"
    assert profile["party"]["route"] == "joint_branch" and profile["party"]["route_rule"] == "PARTY-2"
    assert profile["party"]["members"] is None  # the member list is for the Party-building body only
    rep = profile["organisation"]["legal_representative"]
    assert rep == {"name": "张三", "id_number": "110105********002X", "phone": "138****8000"}
    assert profile["organisation"]["party_full_members"] == 2


async def test_profile_keeps_chinese_unescaped_when_serialised(stack, register) -> None:
    uscc = await register(stack, "330305", name="温州市洞头区海岛公益协会")
    resp = await stack.gateway.get(f"/v1/code/{uscc}")
    assert resp.headers["content-type"] == "application/json"
    assert "温州市洞头区海岛公益协会".encode() in resp.content


async def test_profile_lists_pending_sources_when_events_not_yet_arrived(start_stack, register) -> None:
    # With the registry's relay off the registration event never leaves its outbox: nothing downstream knows it.
    stack = await start_stack(registry={"relay": {"enabled": False}})
    uscc = await register(stack, "330324")
    profile = await _profile(stack.gateway, uscc, stack.staff)
    assert profile["organisation"]["uscc"] == uscc
    assert profile["credit"] is None and profile["party"] is None and profile["procurement"] is None
    assert profile["pending_sources"] == ["credit", "party", "procurement", "cultivation"]
    assert profile["missing_sources"] == []


async def test_profile_names_missing_source_when_party_stopped(stack, register) -> None:
    uscc = await register(stack, "330326")
    await _complete(stack, uscc)
    await stack.stop("party")
    stack.app.state.cache.forget(uscc)  # a held profile would be served as it is: ask the services again
    profile = await _profile(stack.gateway, uscc, stack.staff)
    assert profile["missing_sources"] == ["party"] and profile["pending_sources"] == []
    assert profile["party"] is None
    assert profile["organisation"]["uscc"] == uscc
    assert profile["credit"]["colour"] == "green" and profile["procurement"]["may_bid"] is True


async def test_held_profile_served_degraded_naming_registry_when_registry_stopped(stack, register) -> None:
    uscc = await register(stack, "330329")
    await _complete(stack, uscc)
    await stack.stop("registry")
    stack.app.state.cache.invalidate(uscc)  # as an event would: the held profile must be re-read
    profile = await _profile(stack.gateway, uscc, stack.staff)
    assert profile["missing_sources"][0] == "registry" and profile["stale"] is True
    assert profile["organisation"]["uscc"] == uscc


async def test_profile_404_when_code_valid_but_unknown(stack) -> None:
    resp = await stack.gateway.get("/v1/code/51330300MJ8A2T0116")
    assert resp.status_code == 404
    assert resp.headers["content-type"].startswith("application/problem+json")
    assert resp.json()["code"] == "organisation_not_found"


async def test_signature_valid_only_when_sig_is_the_gateways(stack, register) -> None:
    uscc = await register(stack, "330327")
    sig = sign_code(stack.app.state.settings.signing_key.get_secret_value(), uscc)
    assert (await _profile(stack.gateway, uscc, sig=sig))["signature_valid"] is True
    forged = "0" * 16 if sig != "0" * 16 else "1" * 16
    assert (await _profile(stack.gateway, uscc, sig=forged))["signature_valid"] is False
    assert (await _profile(stack.gateway, uscc, sig="伪造"))["signature_valid"] is False
    other = await register(stack, "330327", name="苍南县另一家公益协会", id_number="330302198001010019")
    assert (await _profile(stack.gateway, other, sig=sig))["signature_valid"] is False  # not transferable


async def test_ready_reports_each_upstream_when_services_run(stack) -> None:
    async def all_ready() -> dict | None:
        resp = await stack.gateway.get("/health/ready")
        assert resp.status_code == 200
        upstreams = resp.json()["upstreams"]
        return upstreams if set(upstreams.values()) == {200} else None  # NATS connects in the background

    assert set(await eventually(all_ready)) == {"registry", "credit", "procurement", "party", "cultivation"}
