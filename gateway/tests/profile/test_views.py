"""CODE-4 through HTTP: an anonymous caller never sees personal data; each role its own view; 403 on overreach."""

from __future__ import annotations

import pytest

ID, PHONE, MEMBER_PHONE = "11010519491231002X", "13912345678", "13800001111"


async def test_anonymous_profile_carries_no_personal_data(gw, fake, make_uscc) -> None:
    _, client = gw
    uscc = make_uscc()
    fake.add(uscc)
    resp = await client.get(f"/v1/code/{uscc}")
    assert resp.json()["view"] == "public"
    for secret in (ID, PHONE, MEMBER_PHONE, "赵六", "0577-88889999", "内部风险提示"):
        assert secret not in resp.text
    assert "cache-control" not in resp.headers or "no-store" not in resp.headers["cache-control"]


async def test_org_account_sees_itself_masked_and_others_publicly(gw, fake, auth, make_uscc) -> None:
    app, client = gw
    own, other = make_uscc(), make_uscc()
    fake.add(own)
    fake.add(other)
    org = auth.bearer(await auth.token(app, "org", org_uscc=own))
    mine = (await client.get(f"/v1/code/{own}", headers=org)).json()
    assert mine["view"] == "self" and mine["party"]["members"][0]["id_number"] == "110105********002X"
    assert ID not in str(mine)
    assert (await client.get(f"/v1/code/{other}", headers=org)).json()["view"] == "public"
    refused = await client.get(f"/v1/code/{other}", params={"view": "self"}, headers=org)
    assert refused.status_code == 403 and refused.json()["errors"][0]["rule"] == "CODE-4"


@pytest.mark.parametrize(("role", "division", "view"), [
    ("staff", "3303", "department"), ("staff", "3304", "public"), ("party", "", "department"),
    ("internal", "", "internal")])
async def test_view_follows_role_and_jurisdiction(gw, fake, auth, make_uscc, role, division, view) -> None:
    app, client = gw
    uscc = make_uscc("330302")
    fake.add(uscc)
    headers = auth.bearer(await auth.token(app, role, division=division))
    resp = await client.get(f"/v1/code/{uscc}", headers=headers)
    assert resp.json()["view"] == view
    assert resp.headers["cache-control"] == "no-store"


async def test_department_view_403_when_staff_outside_jurisdiction_asks_for_it(gw, fake, auth, make_uscc) -> None:
    app, client = gw
    uscc = make_uscc("330302")
    fake.add(uscc)
    headers = auth.bearer(await auth.token(app, "staff", division="3304"))
    resp = await client.get(f"/v1/code/{uscc}", params={"view": "department"}, headers=headers)
    assert resp.status_code == 403


async def test_internal_view_only_for_internal_role(gw, fake, auth, make_uscc) -> None:
    app, client = gw
    uscc = make_uscc()
    fake.add(uscc)
    anonymous = await client.get(f"/v1/code/{uscc}", params={"view": "internal"})
    assert anonymous.status_code == 403
    internal = auth.bearer(await auth.token(app, "internal"))
    full = (await client.get(f"/v1/code/{uscc}", headers=internal)).json()
    assert full["organisation"]["legal_representative"]["id_number"] == ID
