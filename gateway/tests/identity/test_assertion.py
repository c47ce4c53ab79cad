"""Service identity end to end (issue 12): through the gateway a call reaches the real services vouched for by a
signed assertion; the same call straight to a service's port, with the gateway's old trusted headers, is refused."""

from __future__ import annotations

import httpx

from yishe_kit.assertion import HEADER


async def test_forwarded_call_works_and_direct_call_is_refused(stack, register) -> None:
    uscc = await register(stack, "330327", name="苍南县服务身份测试协会")
    through = await stack.gateway.get(f"/api/registry/v1/organisations/{uscc}", headers=stack.staff)
    assert through.status_code == 200 and through.json()["uscc"] == uscc
    profile = await stack.gateway.get(f"/v1/code/{uscc}", headers=stack.staff)  # the fan-out lane, vouched too
    assert profile.status_code == 200 and profile.json()["organisation"]["uscc"] == uscc
    async with httpx.AsyncClient(base_url=stack.services["registry"].url) as direct:
        for headers in ({"X-Yishe-Role": "internal", "X-Yishe-Actor": "gateway"}, {"X-Yishe-Role": "staff"}):
            resp = await direct.get(f"/v1/organisations/{uscc}", headers=headers)
            assert resp.status_code == 401 and resp.json()["code"] == "assertion_missing"
        forged = await direct.post("/v1/organisations", headers={"X-Yishe-Role": "staff", HEADER: "x.y.z"}, json={})
        assert forged.status_code == 401
        assert (await direct.get("/health/ready")).status_code == 200
