"""The gateway's "done means", end to end through real processes: a scanned code opens the Chinese public page
with the current colour; a department system with a signed key reads the department view and the change feed;
an anonymous caller sees no personal data; every non-public read is in a verifiable audit chain."""

from __future__ import annotations

import json
import subprocess
import sys

import httpx
import pytest
from registration_bodies import direct_registration

from yishe_kit.testing import eventually

pytestmark = [pytest.mark.e2e, pytest.mark.slow]
ID_NUMBER, PHONE = "11010519491231002X", "13900139000"


def _registration(name: str) -> dict:
    """Only this module's one registration holds ID_NUMBER (REG-2: one legal representative, one group)."""
    return direct_registration(
        name, legal_representative={"name": "陈一", "id_number": ID_NUMBER, "phone": PHONE},
        party_members={"full_count": 1, "probationary_count": 0,
                       "members": [{"name": "党员甲", "status": "正式党员", "phone": "13700137000"}]})


def _signed(stack, method: str, url: str, body: bytes = b"") -> dict[str, str]:
    from yishe_gateway.sign import build

    client = stack.dev["client"]
    return build(method, url, body, client["app_key"], client["secret"])


def _operator_token(stack) -> str:
    """An internal (platform operator) account made with the admin command, as an operator would."""
    env = {**stack.env(), "GATEWAY_ADMIN_PASSWORD": "operator-password-1"}
    subprocess.run([sys.executable, "-m", "yishe_gateway.admin", "create-user", "e2e-operator", "internal"],
                   env=env, check=False, capture_output=True)
    resp = httpx.post(f"{stack.gateway_url}/v1/auth/token",
                      json={"username": "e2e-operator", "password": "operator-password-1"})
    assert resp.status_code == 200, resp.text
    return resp.json()["access_token"]


async def test_scan_department_view_feed_and_audit_chain(stack, unique_name) -> None:
    token = {"Authorization": f"Bearer {stack.dev['staff']['token']}"}
    async with httpx.AsyncClient(base_url=stack.gateway_url, timeout=10) as client:
        resp = await client.post("/api/registry/v1/organisations", json=_registration(unique_name), headers=token)
        assert resp.status_code == 201, resp.text
        uscc = resp.json()["uscc"]

        # The printed QR code encodes a signed URL; a phone's browser opening it gets the Chinese page.
        svg = await client.get(f"/v1/code/{uscc}/qr.svg")
        assert svg.status_code == 200 and svg.headers["content-type"].startswith("image/svg+xml")
        from yishe_gateway.qr import sign_code

        sig = sign_code(stack.env().get("GATEWAY_SIGNING_KEY", "dev-only-signing-key"), uscc)

        async def page_with_colour() -> str | None:
            page = await client.get(f"/v1/code/{uscc}", params={"sig": sig}, headers={"Accept": "text/html"})
            return page.text if page.status_code == 200 and "绿码" in page.text else None

        html = await eventually(page_with_colour, timeout=15)
        assert '<html lang="zh-CN">' in html and unique_name in html and "防伪校验通过" in html
        assert ID_NUMBER not in html and PHONE not in html

        # Anonymous JSON: no personal data.
        public = await client.get(f"/v1/code/{uscc}")
        assert public.json()["view"] == "public"
        for secret in (ID_NUMBER, PHONE, "13700137000", "党员甲"):
            assert secret not in public.text

        # A department system with a signed key: department view and the change feed.
        url = f"{stack.gateway_url}/v1/code/{uscc}"
        department = await client.get(url, headers={**_signed(stack, "GET", url), "X-Purpose": "e2e"})
        assert department.status_code == 200 and department.json()["view"] == "department"
        assert department.json()["organisation"]["legal_representative"]["phone"] == "139****9000"

        async def in_feed() -> list | None:
            feed_url = f"{stack.gateway_url}/v1/feed?uscc={uscc}"
            items = (await client.get(feed_url, headers=_signed(stack, "GET", feed_url))).json()["items"]
            return items if any(i["type"] == "registry.organisation.registered.v1" for i in items) else None

        items = await eventually(in_feed, timeout=15)
        assert "13700137000" not in json.dumps(items, ensure_ascii=False)

        # Every non-public read is in the chain, and the chain verifies.
        operator = {"Authorization": f"Bearer {_operator_token(stack)}"}
        entries = (await client.get("/v1/audit", params={"uscc": uscc, "limit": 1000}, headers=operator)).json()
        assert any(e["client"] == stack.dev["client"]["app_key"] and e["purpose"] == "e2e" for e in entries)
        verdict = (await client.get("/v1/audit/verify", headers=operator)).json()
        assert verdict["valid"] is True and verdict["entries"] >= len(entries)


async def test_unsigned_expired_and_anonymous_writes_refused(stack) -> None:
    async with httpx.AsyncClient(base_url=stack.gateway_url, timeout=10) as client:
        anonymous = await client.post("/api/registry/v1/organisations", json=_registration("温州市匿名协会"))
        assert anonymous.status_code == 401 and anonymous.json()["code"] == "authentication_required"
        url = f"{stack.gateway_url}/v1/feed"
        headers = _signed(stack, "GET", url)
        assert (await client.get(url, headers=headers)).status_code == 200
        replay = await client.get(url, headers=headers)
        assert replay.status_code == 401 and replay.json()["code"] == "nonce_replayed"
        assert (await client.get(url)).status_code == 401
