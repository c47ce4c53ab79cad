"""Cultivation end to end through real processes: a legacy organisation graded 4A through the gateway gets one
¥20,000 reward (EVAL-10), counts in the 4A/5A indicator with its record behind it, operates a township platform
whose assessment sets the band (PLAT-1..3), and the 一社一码 profile carries cultivation's fragment."""

from __future__ import annotations

import json
import random

import httpx
import pytest

from yishe_contracts.identifiers import encode_sequence, make_uscc
from yishe_kit.clock import today as business_today
from yishe_kit.testing import eventually

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

_HAN = "春夏秋冬梅兰竹菊松柏山川河海星辰日月风云金木水火土天地玄黄宇宙洪荒寒来暑往秋收冬藏"
WAIT = {"timeout": 20, "interval": 0.2}
RUBRIC = {"physical_operation": 15, "professional_operation": 10, "dedicated_funds": 10, "party_leadership": 10,
          "cultivation": 12, "hub_role": 18, "professional_services": 20, "public_assessment": 5}


async def test_first_4a_reward_indicator_drill_down_platform_band_and_profile(stack) -> None:
    staff = {"Authorization": f"Bearer {stack.dev['staff']['token']}"}
    today = business_today()
    uscc = make_uscc(category="2", division_code="330302", body8="C" + encode_sequence(random.randrange(31**7), 7))
    legacy = {"uscc": uscc, "name": f"温州市鹿城区{''.join(random.choices(_HAN, k=4))}社会工作服务中心",
              "org_type": "民办非企业单位", "division_code": "330302", "address": "温州市鹿城区五马街2号",
              "legal_representative": "李四", "business_scope": "社会工作服务", "status": "active",
              "registration_date": "2016-03-01"}
    async with httpx.AsyncClient(base_url=stack.gateway_url, timeout=15, headers=staff) as client:
        imported = await client.post("/api/registry/v1/exchange/imports", params={"format": "jsonl", "source": "e2e"},
                                     content=json.dumps(legacy, ensure_ascii=False).encode(),
                                     headers={"content-type": "application/x-ndjson"})
        assert imported.status_code == 200 and imported.json()["created"] == 1, imported.text
        graded = await client.post(f"/api/registry/v1/organisations/{uscc}/grades",
                                   json={"grade": "4A", "announced_on": today.isoformat(), "score": 860})
        assert graded.status_code == 201, graded.text

        async def reward():
            rows = (await client.get("/api/cultivation/v1/rewards", params={"division": "330302"})).json()
            return [r for r in rows if r["uscc"] == uscc] or None

        [r] = await eventually(reward, **WAIT)
        assert (r["grade"], r["amount"], r["status"]) == ("4A", "20000.00", "payable")

        drill = (await client.get("/api/cultivation/v1/targets/indicators/grade_4a5a/records",
                                  params={"division": "330302", "year": today.year})).json()
        assert uscc in [x["uscc"] for x in drill["records"]]

        township = "330302" + f"{random.randrange(100, 999)}"
        platform = await client.post("/api/cultivation/v1/platforms", json={
            "township_code": township, "name": "五马街道社会组织服务中心", "operator_uscc": uscc,
            "space_m2": "320", "full_time_social_workers": 3, "physical_operation": True})
        assert platform.status_code == 201, platform.text
        pid = platform.json()["platform_id"]
        items = [{"code": c, "score": p, "evidence": ["https://example.org/e.pdf"]} for c, p in RUBRIC.items()]
        items[5]["score"] = 8  # 枢纽作用 8 of 18: 90 in all, 示范型 at the edge (PLAT-2)
        assessed = await client.put(f"/api/cultivation/v1/platforms/{pid}/assessments/{today.year}",
                                    json={"items": items, "assessor": "第三方评估机构"})
        assert assessed.status_code == 200 and assessed.json()["band"] == "示范型", assessed.text
        items[6]["score"] = 19
        lower = await client.put(f"/api/cultivation/v1/platforms/{pid}/assessments/{today.year}",
                                 json={"items": items, "assessor": "第三方评估机构"})
        assert lower.json()["band"] == "完善型"

        async def profile():
            p = (await client.get(f"/v1/code/{uscc}")).json()
            c = p.get("cultivation") or {}
            return p if (c.get("platform") or {}).get("band") == "完善型" else None

        p = await eventually(profile, **WAIT)
        assert p["cultivation"]["platform"]["operator"] is True
        assert p["cultivation"]["rewards"][0]["amount"] == "20000.00"
