from __future__ import annotations

from party_factories import PARTY, STAFF, add_talent, establish, open_record, registered

from yishe_party.config import Settings


async def test_budget_applies_grants_allowances_and_no_pay_when_computed(client, app) -> None:
    await add_talent(client, name="兼职干部", seconded_cadre=True, approval_ref="批复1")
    await add_talent(client, name="社工指导员", source="social_worker", annual_allowance="2400.00",
                     division_code="330303")
    a, b, c = registered(5, 1), registered(3), registered(0)
    for e in (a, b, c):
        await open_record(app, e)  # c gets the nearest instructor: the cadre (same district)
    demo = await establish(client, [a.uscc], demonstration=True, demonstration_year=2026)
    plain = await establish(client, [b.uscc], secretary={"name": "兼职书记", "seconded_cadre": True})
    for org, level in ((demo, 1), (plain, 3)):
        await client.post(f"/v1/party-organisations/{org['org_id']}/assessments", headers=PARTY,
                          json={"year": 2026, "level": level})
    budget = (await client.get("/v1/funding/budget?year=2026", headers=STAFF)).json()
    lines = {o["org_id"]: o for o in budget["organisations"]}
    assert (lines[demo["org_id"]]["members"], lines[demo["org_id"]]["total"]) == (6, "28800.00")  # 3000+1800+24000
    assert lines[plain["org_id"]]["secretary_allowance"] == "0.00"  # PARTY-10: seconded secretary
    talents = {t["name"]: (t["allowance"], t["rule"]) for t in budget["talents"]}
    assert talents == {"兼职干部": ("0.00", "PARTY-10")}  # the social worker has no organisation this year
    [division] = budget["divisions"]
    assert (division["division_code"], division["total"], division["seconded_cadres"]) == ("330302", "29700.00", 1)
    assert budget["total"] == "29700.00"
    next_year = (await client.get("/v1/funding/budget?year=2027", headers=STAFF)).json()
    assert next_year["total"] == "2700.00"  # no one-off, no assessment yet: 9 members × 300


async def test_budget_refused_when_reference_day_outside_year(client) -> None:
    response = await client.get("/v1/funding/budget?year=2026&reference_date=2027-01-01", headers=STAFF)
    assert response.status_code == 400 and response.json()["errors"][0]["rule"] == "PARTY-8"


def test_amounts_are_configuration_when_overridden() -> None:
    settings = Settings(funding={"per_member_per_year": "500", "secretary_level_minimums": {"1": "30000"}})
    assert str(settings.funding.per_member_per_year) == "500"
    assert Settings().funding.secretary_level_minimums[5] == 2000
