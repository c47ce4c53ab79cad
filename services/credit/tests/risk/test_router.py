from __future__ import annotations

from datetime import date

from credit_factories import STAFF, apply_fact, open_org, penalty

from yishe_contracts.events.registry import AnnualReportOverdue
from yishe_credit.record import facts as record_facts


async def test_risky_organisation_ranked_first_with_explained_factors_when_scored(client, app) -> None:
    clean = await open_org(app)
    risky = await open_org(app)
    await penalty(client, risky, kind="warning", on=date(2026, 3, 2))
    await apply_fact(app, record_facts.report_overdue, AnnualReportOverdue(
        uscc=risky, year=2025, deadline=date(2026, 5, 31), as_of=date(2026, 6, 1)))
    ranked = (await client.get("/v1/risk?as_of=2026-07-01", headers=STAFF)).json()
    assert [r["uscc"] for r in ranked] == [risky, clean]
    factors = {f["factor"]: (f["value"], f["points"], f["rule"]) for f in ranked[0]["factors"]}
    assert factors == {"abnormal_listed": (1.0, 20.0, "CR-6"), "penalties_3y": (1.0, 15.0, "CR-4"),
                       "overdue_annual_reports": (1.0, 15.0, "AR-1")}
    assert (ranked[0]["score"], ranked[0]["warning"], ranked[1]["score"]) == (50.0, True, 0.0)


async def test_weights_are_configuration_when_overridden(custom) -> None:
    async with custom(risk={"weights": {"penalties_3y": 30}, "cap": 45}) as (app, client):
        uscc = await open_org(app)
        await penalty(client, uscc, kind="warning", on=date(2026, 3, 2))
        one = (await client.get(f"/v1/risk/{uscc}?as_of=2026-07-01", headers=STAFF)).json()
        points = {f["factor"]: f["points"] for f in one["factors"]}
        assert points == {"penalties_3y": 30.0, "abnormal_listed": 20.0}  # the other defaults stay
        assert one["score"] == 45.0  # capped


async def test_risk_403_when_public(client) -> None:
    assert (await client.get("/v1/risk")).status_code == 403
