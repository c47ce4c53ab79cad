from __future__ import annotations

from procurement_fixtures.factories import a_uscc, catalogue, org, purchaser, signed_contract, staff


async def _external(client, amount: str, kind: str = "enterprise", **extra) -> None:
    resp = await client.post("/v1/purchase-records", headers=purchaser(), json={
        "department": "温州市鹿城区民政局", "division_code": "330302", "year": 2027, "amount": amount,
        "supplier_kind": kind, "supplier_name": "某物业服务有限公司", "signed_on": "2027-02-01"} | extra)
    assert resp.status_code == 201, resp.text


async def test_social_organisation_share_is_computed_from_recorded_contracts(app, client, clock) -> None:
    await catalogue(client)
    await signed_contract(client, app, clock)
    await _external(client, "620000")
    await _external(client, "999999", new_spending=False)
    report = (await client.get("/v1/reports/shares?year=2027&group_by=department", headers=staff())).json()
    overall = report["overall"]
    assert (overall["total"], overall["social_org"], overall["social_org_share"]) == ("1000000.00", "380000.00",
                                                                                     "0.3800")
    assert overall["social_org_target_met"] is True and overall["platform_target_met"] is False
    assert report["social_org_target"] == "0.3000" and report["platform_target"] == "0.1000"


async def test_platform_share_counts_platform_support_purchases_from_social_organisations(app, client, clock) -> None:
    await catalogue(client)
    await signed_contract(client, app, clock, catalogue_item_code="A0305", title="五马街道社会组织服务平台运营")
    await _external(client, "1000000")
    by_division = (await client.get("/v1/reports/shares?year=2027&group_by=division", headers=staff())).json()
    [row] = by_division["rows"]
    assert row["key"] == "330302" and row["platform"] == "380000.00" and row["platform_target_met"] is True


async def test_external_social_organisation_needs_a_social_organisation_code(client) -> None:
    resp = await client.post("/v1/purchase-records", headers=purchaser(), json={
        "department": "区民政局", "division_code": "330302", "year": 2027, "amount": "1000",
        "supplier_kind": "social_organisation", "supplier_id": "91330201MA282UF146", "supplier_name": "某公司",
        "signed_on": "2027-02-01"})
    assert resp.status_code == 400 and resp.json()["errors"][0]["rule"] == "USCC-2"


async def test_shares_are_not_shown_to_organisations_when_requested(client) -> None:
    assert (await client.get("/v1/reports/shares", headers=org(a_uscc()))).status_code == 403
