"""僵尸型: candidates need the configured signals; confirming emits the event registry uses."""

from __future__ import annotations

from datetime import date

from credit_factories import STAFF, apply_fact, events, list_manually, open_org

from yishe_contracts.events.registry import AnnualReportOverdue
from yishe_credit.record import facts as record_facts


async def _zombie(client, app) -> str:
    uscc = await open_org(app, registration_date=date(2020, 3, 1))
    for year in (2023, 2024):
        await apply_fact(app, record_facts.report_overdue, AnnualReportOverdue(
            uscc=uscc, year=year, deadline=date(year + 1, 5, 31), as_of=date(year + 1, 6, 1)))
    await list_manually(client, uscc, trigger="CR-6.6", on=date(2025, 9, 1))
    return uscc


async def test_candidate_with_evidence_and_confirmation_emits_event_when_all_signals_hold(client, app) -> None:
    uscc = await _zombie(client, app)
    active = await open_org(app, registration_date=date(2026, 1, 5))
    found = (await client.get("/v1/zombies/candidates?as_of=2026-11-01", headers=STAFF)).json()
    assert [c["uscc"] for c in found] == [uscc] and active not in [c["uscc"] for c in found]
    assert found[0]["signals"] == {"missed_reports": True, "unreachable": True, "inactive": True}
    assert "连续2年未报送年度工作报告（2023–2024年度）" in found[0]["evidence"]
    resp = await client.post("/v1/zombies/decisions", json={"uscc": uscc, "confirmed": True,
                                                            "evidence": ["走访：住所已出租他用"]}, headers=STAFF)
    assert resp.status_code == 201
    [event] = await events(app, "credit.zombie.confirmed.v1", uscc)
    assert event["evidence"][-1] == "走访：住所已出租他用" and len(event["evidence"]) == 4
    again = await client.post("/v1/zombies/decisions", json={"uscc": uscc, "confirmed": True}, headers=STAFF)
    assert again.status_code == 409


async def test_confirmation_refused_409_when_not_a_candidate(client, app) -> None:
    uscc = await open_org(app, registration_date=date(2026, 1, 5))
    resp = await client.post("/v1/zombies/decisions", json={"uscc": uscc, "confirmed": True}, headers=STAFF)
    assert resp.status_code == 409 and resp.json()["errors"][0]["rule"] == "CR-16"
    assert await events(app, "credit.zombie.confirmed.v1", uscc) == []


async def test_fewer_signals_make_a_candidate_when_configured(custom) -> None:
    async with custom(zombie={"min_signals": 1}) as (app, client):
        uscc = await open_org(app, registration_date=date(2020, 3, 1))
        found = (await client.get("/v1/zombies/candidates?as_of=2026-11-01", headers=STAFF)).json()
        assert [c["signals"]["inactive"] for c in found if c["uscc"] == uscc] == [True]
