from __future__ import annotations

from datetime import date

from credit_factories import STAFF, open_org, penalty


async def test_healthy_share_by_division_against_targets_when_some_listed(client, app) -> None:
    """CR-20: 2 of 3 healthy in 330302 (66.67 %, below 80 % and 90 %), 1 of 1 in 330304."""
    a = [await open_org(app, division="330302") for _ in range(3)]
    await open_org(app, division="330304")
    await penalty(client, a[0], kind="warning", on=date(2026, 3, 2))
    body = (await client.get("/v1/indicators/healthy-share", headers=STAFF)).json()
    by = {d["division_code"]: d for d in body["divisions"]}
    assert (by["330302"]["organisations"], by["330302"]["healthy"], by["330302"]["share"]) == (3, 2, "0.6667")
    assert [t["met"] for t in by["330302"]["targets"]] == [False, False]
    assert by["330304"]["share"] == "1.0000" and all(t["met"] for t in by["330304"]["targets"])
    assert body["total"]["healthy"] == 3
    scoped = (await client.get("/v1/indicators/healthy-share", headers={**STAFF, "x-yishe-division": "330304"})).json()
    assert [d["division_code"] for d in scoped["divisions"]] == ["330304"]
