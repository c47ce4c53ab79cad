from __future__ import annotations

import pytest
from cultivation_factories import CITY_STAFF, INTERNAL, add_org, grade, graded, org_headers, registered

pytestmark = pytest.mark.nats
T1 = "330302001"
FULL = {"physical_operation": 15, "professional_operation": 10, "dedicated_funds": 10, "party_leadership": 10,
        "cultivation": 12, "hub_role": 18, "professional_services": 20, "public_assessment": 5}


async def test_facts_name_the_platform_and_index_and_follow_an_assessment(app, client) -> None:
    """The 一社一码 fragment: the platform a community organisation belongs to, with its band (PLAT-2), and its
    activity index (PLAT-5); served from the read model and rebuilt when an assessment moves the band."""
    uscc = await add_org(app, registered(community_class="公益慈善类"), township=T1)
    await grade(app, graded(uscc, "3A"))
    p = (await client.post("/v1/platforms", headers=CITY_STAFF, json={
        "township_code": T1, "name": "五马街道社会组织服务中心", "physical_operation": True})).json()
    await client.post("/v1/activities", headers=org_headers(uscc), json={
        "uscc": uscc, "activity_date": "2026-10-01", "kind": "志愿服务", "participants": 12, "residents": 6})
    facts = (await client.get(f"/v1/facts/{uscc}", headers=INTERNAL)).json()
    assert facts["platform"]["name"] == "五马街道社会组织服务中心" and facts["platform"]["band"] is None
    assert facts["activity"]["activities"] == 1 and facts["activity"]["index"] == "53.33"
    assert facts["rewards"] == [{"grade": "3A", "amount": "10000.00", "status": "payable",
                                 "awarded_on": "2026-06-30"}]
    items = [{"code": c, "score": v, "evidence": []} for c, v in FULL.items()]
    await client.put(f"/v1/platforms/{p['platform_id']}/assessments/2026", headers=CITY_STAFF,
                     json={"items": items, "assessor": "区民政局"})
    again = (await client.get(f"/v1/facts/{uscc}", headers=INTERNAL)).json()
    assert again["platform"]["band"] == "示范型"
    other = await add_org(app, registered())
    denied = await client.get(f"/v1/facts/{uscc}", headers=org_headers(other))
    assert denied.status_code == 403
    assert (await client.get("/v1/facts/91330302MA2AAAAA1X", headers=INTERNAL)).status_code == 400
